//go:build !linux

package criucmd

import (
	"context"
	"fmt"
	"runtime"
)

// Run is Linux-only: CRIU exists only there.
func Run(ctx context.Context, criuPath string, o Options) (*Result, error) {
	return nil, fmt.Errorf("criu %s: %w on %s", o.Action, ErrNotSupported, runtime.GOOS)
}

// Probe is Linux-only: CRIU exists only there.
func Probe(ctx context.Context, criuPath string) (Version, error) {
	return Version{}, fmt.Errorf("criu version probe: %w on %s", ErrNotSupported, runtime.GOOS)
}
