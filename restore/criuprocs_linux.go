package restore

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"
)

// killRestoreCriu kills with SIGKILL every criu process that holds the
// restore log logPath open (the criu runc started for this restore and
// the tasks it forked, which inherit the log), and returns how many.
func killRestoreCriu(logPath string) int {
	pids := criuWriting(logPath)
	for _, pid := range pids {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
	return len(pids)
}

// criuWriting lists the processes called criu with an open descriptor on
// path.
func criuWriting(path string) []int {
	des, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	var pids []int
	for _, de := range des {
		pid, err := strconv.Atoi(de.Name())
		if err != nil {
			continue
		}
		proc := "/proc/" + de.Name()
		comm, err := os.ReadFile(proc + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "criu" || !holdsOpen(proc, path) {
			continue
		}
		pids = append(pids, pid)
	}
	return pids
}

// holdsOpen reports whether the process at proc has a descriptor on path.
func holdsOpen(proc, path string) bool {
	fds, err := os.ReadDir(proc + "/fd")
	if err != nil {
		return false
	}
	for _, fd := range fds {
		if t, err := os.Readlink(proc + "/fd/" + fd.Name()); err == nil && t == path {
			return true
		}
	}
	return false
}

// detachYards lazily unmounts the cgroup yards a killed criu left behind
// for the task id: CRIU mounts one, .criu.cgyard.XXXXXX, in its working
// folder, the runtime's folder of the task (named id, or .id once the
// shim renames it for removal), and unmounts it only when it ends by
// itself. A criu killed mid-restore, by ckpt or anyone, leaves it mounted
// with the host's cgroup hierarchies inside.
func detachYards(id string) {
	if id == "" {
		return
	}
	yards, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		parent := filepath.Base(filepath.Dir(m.Mountpoint))
		return (parent != id && parent != "."+id) || !strings.HasPrefix(filepath.Base(m.Mountpoint), ".criu.cgyard."), false
	})
	if err != nil {
		return
	}
	for _, y := range yards {
		// MNT_DETACH takes the hierarchies CRIU mounted inside the yard too.
		_ = unix.Unmount(y.Mountpoint, unix.MNT_DETACH)
		_ = os.Remove(y.Mountpoint)
	}
}
