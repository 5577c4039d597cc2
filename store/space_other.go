//go:build !linux

package store

import "errors"

// Space reads statfs, so Linux only.
func Space(dir string) (free, size int64, err error) {
	return 0, 0, errors.New("free space: not supported on this system")
}
