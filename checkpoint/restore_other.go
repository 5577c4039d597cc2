//go:build !linux

package checkpoint

import (
	"context"
	"fmt"
	"runtime"
)

// Run is not supported off Linux: the restore runs CRIU through the local
// Docker engine.
func (r Restore) Run(context.Context) (*RestoreResult, error) {
	return nil, fmt.Errorf("ckpt restore is not supported on %s: it needs Linux, dockerd and CRIU", runtime.GOOS)
}

// Place is not supported off Linux.
func Place(src, engineDir, name string) (string, bool, error) {
	return "", false, fmt.Errorf("placing a checkpoint for the engine is not supported on %s", runtime.GOOS)
}
