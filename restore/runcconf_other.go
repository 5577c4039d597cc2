//go:build !linux

package restore

import (
	"fmt"
	"runtime"
)

// WithLines needs runc, so Linux.
func (rc RuncConf) WithLines([]string, func() error) error {
	return fmt.Errorf("restoring through runc is not supported on %s", runtime.GOOS)
}
