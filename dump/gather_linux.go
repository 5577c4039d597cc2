package dump

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/ckpt/ckpt/bundle"
	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/namespaces"
	"golang.org/x/sys/unix"
)

// gather reads from /proc what the criu options depend on, into a Plan.
// holderNet says the engine restores through a network holder, so the
// container's own network namespace is to be marked external.
func gather(info *bundle.ContainerInfo, decisions []mountscan.Decision, flags criucmd.DumpFlags, holderNet bool) (Plan, error) {
	p := Plan{
		PID:       info.PID,
		Rootfs:    info.Rootfs,
		Spec:      info.Spec,
		Externals: mountscan.Externals(decisions),
		NSInodes:  map[string]uint64{},
		Flags:     flags,
		NetHolder: holderNet,
	}
	if info.Spec != nil && info.Spec.Linux != nil {
		for _, ns := range info.Spec.Linux.Namespaces {
			if ns.Path == "" {
				continue
			}
			var st unix.Stat_t
			if err := unix.Stat(ns.Path, &st); err != nil {
				return p, fmt.Errorf("stat %s namespace %s: %w", ns.Type, ns.Path, err)
			}
			p.NSInodes[string(ns.Type)] = st.Ino
		}
		if dir := FreezerDir("/sys/fs/cgroup", isCgroup2(), info.Spec.Linux.CgroupsPath); dirExists(dir) {
			p.FreezeCgroup = dir
		}
	}
	var err error
	if p.NetInode, err = namespaces.Inode(fmt.Sprintf("/proc/%d/ns/net", info.PID)); err != nil {
		return p, err
	}
	if p.SelfNetInode, err = namespaces.Inode("/proc/self/ns/net"); err != nil {
		return p, err
	}
	ttys, err := ttyExternals(info.PID)
	if err != nil {
		return p, err
	}
	p.Ttys = ttys
	p.NoTCP = tcpConns(info.PID) == 0
	return p, nil
}

// tcpConns counts the TCP connections in pid's network namespace, -1 if
// its tables cannot be read. The namespace's socket counts come first:
// with no TCP socket in use there is no table to walk.
func tcpConns(pid int) int {
	if sumNetFiles(pid, "sockstat", TCPInUse) == 0 {
		return 0
	}
	return sumNetFiles(pid, "tcp", CountTCP)
}

// sumNetFiles adds up count over /proc/PID/net/NAME and NAME6 (absent in a
// kernel without IPv6); -1 if either cannot be read.
func sumNetFiles(pid int, name string, count func(io.Reader) (int, error)) int {
	total := 0
	for _, t := range []string{name, name + "6"} {
		f, err := os.Open(fmt.Sprintf("/proc/%d/net/%s", pid, t))
		if err != nil {
			if t == name+"6" && os.IsNotExist(err) {
				continue // no IPv6 in this kernel
			}
			return -1
		}
		n, err := count(f)
		f.Close()
		if err != nil {
			return -1
		}
		total += n
	}
	return total
}

// ttyExternals returns CRIU's external keys tty[rdev:dev] for the
// terminals among the init process's stdio (a docker run -t container).
func ttyExternals(pid int) ([]string, error) {
	var keys []string
	seen := map[string]bool{}
	for fd := 0; fd < 3; fd++ {
		p := fmt.Sprintf("/proc/%d/fd/%d", pid, fd)
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			return nil, fmt.Errorf("stat %s: %w", p, err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || !isPty(st.Rdev) {
			continue
		}
		k := fmt.Sprintf("tty[%x:%x]", st.Rdev, st.Dev)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// isPty reports whether a character device is a Unix98 pty slave
// (majors 136-143).
func isPty(rdev uint64) bool {
	major := unix.Major(rdev)
	return major >= 136 && major <= 143
}

// dirtyTracking asks CRIU whether the kernel tracks dirty memory.
func dirtyTracking(ctx context.Context, criu string) error {
	out, err := exec.CommandContext(ctx, criu, "check", "--feature", "mem_dirty_track").CombinedOutput()
	if err != nil {
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		return fmt.Errorf("%w (criu check --feature mem_dirty_track: %s); dump without --pre-dump", ErrNoDirtyTracking, strings.TrimSpace(lines[len(lines)-1]))
	}
	return nil
}

func isCgroup2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}
