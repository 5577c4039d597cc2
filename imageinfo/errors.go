package imageinfo

import (
	"errors"
	"fmt"
)

// Sentinel errors, to be tested with errors.Is. They come wrapped in a
// *FormatError (or another error) that names the file.
var (
	// ErrTruncated means a file ends in the middle of a magic, a length
	// prefix, an entry or its trailing payload.
	ErrTruncated = errors.New("truncated image")
	// ErrTooLarge means a length prefix (or a payload size inside an
	// entry) is larger than what is left of the file.
	ErrTooLarge = errors.New("length larger than the rest of the file")
	// ErrUnknownMagic means the file does not start with a CRIU magic.
	ErrUnknownMagic = errors.New("unknown magic")
	// ErrUnsupportedMagic means the magic is CRIU's but imageinfo does not
	// decode it (see the package documentation).
	ErrUnsupportedMagic = errors.New("unsupported magic")
	// ErrRawImage means the file is one of CRIU's raw images (memory pages,
	// tar archives, netlink dumps), which hold no protobuf entries.
	ErrRawImage = errors.New("raw image, not protobuf entries")
	// ErrBadEntry means an entry is not valid protobuf for its type, or
	// its JSON form is not valid.
	ErrBadEntry = errors.New("bad entry")
	// ErrNotCheckpoint means a folder lacks the images every CRIU dump
	// writes (inventory.img, pstree.img).
	ErrNotCheckpoint = errors.New("not a CRIU checkpoint")
)

// FormatError reports a problem at a place in an image file.
type FormatError struct {
	Path   string // the file
	Offset int64  // byte offset of the problem, or -1 if unknown
	Err    error  // what is wrong; often one of the sentinel errors
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }
