//go:build !linux

package restore

import (
	"fmt"
	"runtime"
)

// with needs runc, so Linux.
func (rc RuncConf) with(string, Settings, func() error) error {
	return fmt.Errorf("restoring through runc is not supported on %s", runtime.GOOS)
}
