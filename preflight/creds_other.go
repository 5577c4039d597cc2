//go:build !linux

package preflight

import (
	"fmt"
	"runtime"
)

// SelfCreds reports that ckpt only runs on Linux.
func SelfCreds() (Creds, error) {
	return Creds{}, fmt.Errorf("not supported on %s", runtime.GOOS)
}

// CheckUsers reports that ckpt only runs on Linux.
func CheckUsers(pids []int) error {
	return fmt.Errorf("not supported on %s", runtime.GOOS)
}
