//go:build !linux

package store

import (
	"fmt"
	"os"
	"runtime"
)

func tryLock(*os.File) error {
	return fmt.Errorf("dump locks are not supported on %s", runtime.GOOS)
}
