//go:build !linux

package bundle

import (
	"context"
	"fmt"
	"runtime"
)

// Find needs /proc and a local dockerd running Linux containers.
func Find(_ context.Context, ref string, _ Options) (*ContainerInfo, error) {
	return nil, fmt.Errorf("find container %s: not supported on %s", ref, runtime.GOOS)
}
