package preflight

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/engine"
)

// Gather probes this machine and asks eng about itself. criuPath is the
// --criu flag ("" to search PATH). Each probe has its own timeout so a hung
// daemon cannot hang ckpt.
func Gather(ctx context.Context, criuPath string, eng engine.Engine) Facts {
	f := Facts{EUID: os.Geteuid()}
	f.Self, f.SelfErr = SelfCreds()
	f.CriuPath, f.CriuPathErr = criucmd.FindCriu(criuPath)
	if f.CriuPath != "" {
		f.CriuVersion = runProbe(ctx, f.CriuPath, "--version")
		f.CriuCheck = runProbe(ctx, f.CriuPath, "check")
		f.Breakpoints = runProbe(ctx, f.CriuPath, "check", "--feature", "breakpoints")
		f.DirtyTrack = runProbe(ctx, f.CriuPath, "check", "--feature", "mem_dirty_track")
		f.NetLockNft = runProbe(ctx, f.CriuPath, "check", "--feature", "network_lock_nftables")
	}
	f.IptablesPath, _ = exec.LookPath("iptables-restore")
	f.Docker = dockerFacts(ctx, eng)
	f.CgroupVersion, f.CgroupErr = cgroupVersion()
	return f
}

func runProbe(ctx context.Context, name string, args ...string) Probe {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return Probe{Out: string(out), Err: err}
}

// cgroupVersion reads the file system type of /sys/fs/cgroup: cgroup2 on a
// unified host, a tmpfs of v1 controllers otherwise (hybrid when a cgroup2
// hierarchy is mounted at /sys/fs/cgroup/unified too).
func cgroupVersion() (string, error) {
	var st unix.Statfs_t
	if err := unix.Statfs("/sys/fs/cgroup", &st); err != nil {
		return "", fmt.Errorf("statfs /sys/fs/cgroup: %w", err)
	}
	switch st.Type {
	case unix.CGROUP2_SUPER_MAGIC:
		return "v2", nil
	case unix.TMPFS_MAGIC:
		if err := unix.Statfs("/sys/fs/cgroup/unified", &st); err == nil && st.Type == unix.CGROUP2_SUPER_MAGIC {
			return "v1 hybrid", nil
		}
		return "v1", nil
	}
	return "", errors.New("/sys/fs/cgroup is neither cgroup2 nor a tmpfs of v1 controllers")
}
