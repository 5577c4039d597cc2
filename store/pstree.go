package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ckpt/ckpt/imageinfo"
)

// ErrBadImage is returned for a file that is not the CRIU image it should be.
var ErrBadImage = errors.New("not a valid CRIU image")

// CountProcesses returns how many processes a checkpoint holds: the number
// of entries of its pstree.img, decoded by imageinfo (which checks every
// frame, so a truncated file is an error rather than a short count).
func CountProcesses(pstreeImg string) (int, error) {
	img, err := imageinfo.DecodeFile(pstreeImg)
	if err != nil {
		if _, serr := os.Stat(pstreeImg); serr != nil {
			return 0, fmt.Errorf("open process tree: %w", serr)
		}
		return 0, fmt.Errorf("%w: %w", ErrBadImage, err)
	}
	if img.Magic != "PSTREE" {
		return 0, fmt.Errorf("%w: %s is a %s image, not PSTREE", ErrBadImage, filepath.Base(pstreeImg), img.Magic)
	}
	return len(img.Entries), nil
}
