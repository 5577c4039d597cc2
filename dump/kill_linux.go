package dump

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/ckpt/ckpt/store"
)

// killFrozen sends SIGKILL to every process of a container that is still
// frozen after its dump (a stop-mode group dump): the processes in its
// freezer cgroup, else the ones the dump recorded. A frozen process keeps
// the signal pending and dies as soon as it is thawed, before it runs any
// of its own code again; so the container cannot change anything after
// its checkpoint (the engine's own stop of a paused container thaws it
// before it kills, and the processes run for a moment).
func killFrozen(m *store.Meta) error {
	pids, err := cgroupProcs(FreezerDir("/sys/fs/cgroup", isCgroup2(), m.CgroupPath))
	if err != nil || len(pids) == 0 {
		pids = pids[:0]
		for _, p := range m.Processes {
			pids = append(pids, p.HostPID)
		}
	}
	if len(pids) == 0 {
		return fmt.Errorf("kill %s after its dump: no process known (cgroup: %v)", m.Name, err)
	}
	var errs []error
	for _, pid := range pids {
		if err := unix.Kill(pid, unix.SIGKILL); err != nil && !errors.Is(err, unix.ESRCH) {
			errs = append(errs, fmt.Errorf("kill pid %d of %s: %w", pid, m.Name, err))
		}
	}
	return errors.Join(errs...)
}

// cgroupProcs reads the pids in a cgroup folder (cgroup.procs).
func cgroupProcs(dir string) ([]int, error) {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, f := range strings.Fields(string(b)) {
		if n, err := strconv.Atoi(f); err == nil && n > 0 {
			pids = append(pids, n)
		}
	}
	return pids, nil
}
