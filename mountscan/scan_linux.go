package mountscan

import (
	"fmt"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Scan reads /proc/<pid>/mountinfo of a container's init process and
// classifies every mount with Classify.
func Scan(pid int, spec *specs.Spec) ([]Decision, error) {
	if pid <= 0 {
		return nil, fmt.Errorf("scan mounts: invalid pid %d", pid)
	}
	infos, err := mountinfo.PidMountInfo(pid)
	if err != nil {
		return nil, fmt.Errorf("read mountinfo of pid %d: %w", pid, err)
	}
	ds, err := Classify(infos, spec)
	if err != nil {
		return nil, fmt.Errorf("mounts of pid %d: %w", pid, err)
	}
	return ds, nil
}
