//go:build !linux

package mountscan

import (
	"fmt"
	"runtime"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Scan needs /proc/<pid>/mountinfo, which only Linux has.
func Scan(pid int, _ *specs.Spec) ([]Decision, error) {
	return nil, fmt.Errorf("scan mounts of pid %d: not supported on %s", pid, runtime.GOOS)
}
