//go:build !linux

package dump

import (
	"context"
	"fmt"
	"runtime"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/namespaces"
	"github.com/ckpt/ckpt/store"
)

// Run needs Linux: CRIU, /proc and the container's cgroups.
func Run(context.Context, engine.Engine, Options) (*Result, error) {
	return nil, fmt.Errorf("ckpt dump is not supported on %s: it needs Linux, CRIU and a Docker engine", runtime.GOOS)
}

// Explain needs Linux: it reads the container's namespaces in /proc.
func Explain(context.Context, engine.Engine, Options) (string, []namespaces.Decision, error) {
	return "", nil, fmt.Errorf("ckpt dump --explain is not supported on %s", runtime.GOOS)
}

func killFrozen(*store.Meta) error {
	return fmt.Errorf("stopping a frozen container is not supported on %s", runtime.GOOS)
}
