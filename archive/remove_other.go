//go:build !linux

package archive

import (
	"fmt"
	"runtime"
)

// RemoveIn needs Linux's /proc and openat2.
func RemoveIn(pid int, paths []string) (int, error) {
	return 0, fmt.Errorf("removing files in a container is not supported on %s", runtime.GOOS)
}
