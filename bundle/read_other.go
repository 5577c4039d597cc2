//go:build !linux

package bundle

import (
	"fmt"
	"runtime"

	"github.com/ckpt/ckpt/engine"
)

// Read needs /proc and a Linux container.
func Read(c *engine.Container, _ Options) (*ContainerInfo, error) {
	return nil, fmt.Errorf("read the bundle of %s: not supported on %s", c.Name, runtime.GOOS)
}
