//go:build !linux

package store

import (
	"fmt"
	"os"
)

func renameNoReplace(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s exists", dst)
	}
	return os.Rename(src, dst)
}
