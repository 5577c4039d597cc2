package dump

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ckpt/ckpt/store"
)

// maxTreeProcs bounds the walk of a container's process tree.
const maxTreeProcs = 4096

// processTree lists the container's processes from its init process down,
// with their pid inside the container and their command line, read from
// /proc just before the dump. CRIU's images do not keep command lines (they
// live in the processes' memory), so container.json records them for
// `ckpt images show`. A process that exits meanwhile is skipped. rss adds
// up their resident memory: about what CRIU will write.
func processTree(initPID int) (out []store.Process, rss int64) {
	queue := []int{initPID}
	seen := map[int]bool{}
	for len(queue) > 0 && len(out) < maxTreeProcs {
		pid := queue[0]
		queue = queue[1:]
		if seen[pid] {
			continue
		}
		seen[pid] = true
		p, n, ok := readProcess(pid)
		if !ok {
			continue
		}
		out = append(out, p)
		rss += n
		queue = append(queue, childPIDs(pid)...)
	}
	return out, rss
}

// hostPIDs gives the host pids of ps.
func hostPIDs(ps []store.Process) []int {
	pids := make([]int, len(ps))
	for i, p := range ps {
		pids[i] = p.HostPID
	}
	return pids
}

func readProcess(pid int) (store.Process, int64, bool) {
	cmd, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil {
		return store.Process{}, 0, false
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return store.Process{}, 0, false
	}
	return store.Process{PID: nsPID(string(status), pid), HostPID: pid, Cmdline: splitCmdline(cmd)}, vmRSS(string(status)), true
}

// vmRSS is the VmRSS line of /proc/PID/status in bytes; 0 without one.
func vmRSS(status string) int64 {
	for _, l := range strings.Split(status, "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "VmRSS:" && f[2] == "kB" {
			if n, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				return n << 10
			}
		}
	}
	return 0
}

// nsPID is the innermost pid of the NSpid line of /proc/PID/status: the
// pid the process has inside the container, as CRIU's images name it.
func nsPID(status string, hostPID int) int {
	for _, l := range strings.Split(status, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[0] == "NSpid:" {
			if n, err := strconv.Atoi(f[len(f)-1]); err == nil {
				return n
			}
		}
	}
	return hostPID
}

// splitCmdline splits /proc/PID/cmdline at its NUL bytes.
func splitCmdline(b []byte) []string {
	b = bytes.TrimRight(b, "\x00")
	if len(b) == 0 {
		return nil
	}
	return strings.Split(string(b), "\x00")
}

// childPIDs reads the children of every thread of pid.
func childPIDs(pid int) []int {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	var kids []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				kids = append(kids, n)
			}
		}
	}
	return kids
}
