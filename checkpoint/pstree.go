package checkpoint

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// CRIU image magics (criu/include/magic.h): an image starts with the
// common or service magic, then its own. pstree.img holds one protobuf
// PstreeEntry per process, each framed by a little-endian uint32 size.
const (
	imgCommonMagic  = 0x54564319
	imgServiceMagic = 0x55105940
	pstreeMagic     = 0x50273030
	maxEntrySize    = 64 << 20 // larger frames mean the file is not an image
)

// ErrBadImage is returned for a file that is not the CRIU image it should be.
var ErrBadImage = errors.New("not a valid CRIU image")

// CountProcesses returns how many processes a checkpoint holds: the number
// of entries of its pstree.img. Entries are counted by their frames, so the
// protobuf payload is not decoded (imageinfo does that).
func CountProcesses(pstreeImg string) (int, error) {
	f, err := os.Open(pstreeImg)
	if err != nil {
		return 0, fmt.Errorf("open process tree: %w", err)
	}
	defer f.Close()
	n, err := countFrames(bufio.NewReader(f))
	if err != nil {
		return 0, fmt.Errorf("%s: %w", pstreeImg, err)
	}
	return n, nil
}

// countFrames checks the pstree magic and counts the size-framed entries
// up to the end of r. A truncated frame is an error, not a short count.
func countFrames(r io.Reader) (int, error) {
	var word [4]byte
	if _, err := io.ReadFull(r, word[:]); err != nil {
		return 0, fmt.Errorf("%w: no magic: %v", ErrBadImage, err)
	}
	m := binary.LittleEndian.Uint32(word[:])
	if m == imgCommonMagic || m == imgServiceMagic {
		if _, err := io.ReadFull(r, word[:]); err != nil {
			return 0, fmt.Errorf("%w: no image magic after 0x%08x: %v", ErrBadImage, m, err)
		}
		m = binary.LittleEndian.Uint32(word[:])
	}
	if m != pstreeMagic {
		return 0, fmt.Errorf("%w: magic 0x%08x is not pstree's 0x%08x", ErrBadImage, m, pstreeMagic)
	}
	n := 0
	for {
		_, err := io.ReadFull(r, word[:])
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return 0, fmt.Errorf("%w: entry %d: truncated size: %v", ErrBadImage, n+1, err)
		}
		size := binary.LittleEndian.Uint32(word[:])
		if size > maxEntrySize {
			return 0, fmt.Errorf("%w: entry %d claims %d bytes", ErrBadImage, n+1, size)
		}
		if _, err := io.CopyN(io.Discard, r, int64(size)); err != nil {
			return 0, fmt.Errorf("%w: entry %d: truncated payload of %d bytes: %v", ErrBadImage, n+1, size, err)
		}
		n++
	}
}
