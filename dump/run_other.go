//go:build !linux

package dump

import (
	"context"
	"fmt"
	"runtime"

	"github.com/ckpt/ckpt/engine"
)

// Run needs Linux: CRIU, /proc and the container's cgroups.
func Run(context.Context, engine.Engine, Options) (*Result, error) {
	return nil, fmt.Errorf("ckpt dump is not supported on %s: it needs Linux, CRIU and a Docker engine", runtime.GOOS)
}
