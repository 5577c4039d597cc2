package engine

import (
	"errors"

	"golang.org/x/sys/unix"
)

// isCrossDevice reports whether a link failed because source and target
// are on different filesystems.
func isCrossDevice(err error) bool { return errors.Is(err, unix.EXDEV) }
