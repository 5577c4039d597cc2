package checkpoint

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ckpt/ckpt/bundle"
	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/preflight"
)

// ErrNoDirtyTracking is returned by a pre-dump on a kernel without the
// soft-dirty bit, before anything is frozen.
var ErrNoDirtyTracking = errors.New("pre-dump needs memory dirty tracking (the soft-dirty bit), which this kernel lacks")

// ErrTtyStop refuses a stop-mode dump of a container with a terminal: the
// engine could not bring it back, so stopping it would lose it.
var ErrTtyStop = errors.New("refusing to stop a container with a terminal")

// Dump is what `ckpt dump` asks for.
type Dump struct {
	Container      string        // name or ID prefix
	Name           string        // checkpoint name; "" makes one from the time
	Dir            string        // store folder
	Bundle         string        // OCI bundle, "" to find it
	Criu           string        // criu binary, "" for PATH
	LeaveRunning   bool          // keep the container running
	TCPEstablished bool          // dump established TCP connections
	FileLocks      bool          // dump file locks
	PreDump        bool          // pre-dump memory first (needs soft-dirty)
	Force          bool          // replace a checkpoint of the same name
	Timeout        time.Duration // bound on criu
	Warn           io.Writer     // where warnings go before the dump
}

// DumpResult is a finished checkpoint.
type DumpResult struct {
	Path     string
	Size     int64
	Duration time.Duration
	Meta     *Meta
}

// Run checkpoints the container: it resolves it, decides its mounts, makes
// a private partial folder, runs criu, writes descriptors.json and
// container.json, and renames the folder into place. Any failure leaves no
// checkpoint behind (only the CRIU log, whose path the error names).
func (d Dump) Run(ctx context.Context) (*DumpResult, error) {
	start := time.Now()
	criu, err := criucmd.FindCriu(d.Criu)
	if err != nil {
		return nil, err
	}
	version, err := criucmd.Probe(ctx, criu)
	if err != nil {
		return nil, err
	}
	if d.PreDump {
		if err := dirtyTracking(ctx, criu); err != nil {
			return nil, err
		}
	}
	info, err := bundle.Find(ctx, d.Container, bundle.Options{Bundle: d.Bundle})
	if err != nil {
		return nil, err
	}
	decisions, err := mountscan.Scan(info.PID, info.Spec)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	plan, err := d.plan(info, decisions)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	if len(plan.Ttys) > 0 {
		if !d.LeaveRunning {
			return nil, fmt.Errorf("%w: %s has a terminal (docker run -t) and Docker cannot restore a checkpoint of it, so ckpt will not stop it; dump it with --leave-running", ErrTtyStop, info.Name)
		}
		if d.Warn != nil {
			fmt.Fprintf(d.Warn, "ckpt: %s has a terminal (docker run -t): it is dumped with --shell-job and its pty as external, but Docker cannot restore it (runc's restore fails with \"criu failed: type NOTIFY errno 0\"); the container keeps running.\n", info.Name)
		}
	}
	if err := preflight.CheckUsers(hostPIDs(processTree(info.PID))); err != nil {
		return nil, fmt.Errorf("dump %s: %w", info.Name, err)
	}
	name := d.Name
	if name == "" {
		name = "ckpt-" + time.Now().UTC().Format("20060102-150405")
	}
	pending, err := Store{Dir: d.Dir}.Begin(info.Name, name, d.Force)
	if err != nil {
		return nil, err
	}
	meta, err := d.dump(ctx, criu, version, info, decisions, plan, pending, name)
	if err != nil {
		kept := pending.Abort()
		thaw(plan.FreezeCgroup)
		return nil, fmt.Errorf("dump %s: %w", info.Name, explain(err, kept))
	}
	if err := pending.Commit(); err != nil {
		pending.Abort()
		return nil, err
	}
	size, _ := DirSize(pending.Final())
	return &DumpResult{Path: pending.Final(), Size: size, Duration: time.Since(start), Meta: meta}, nil
}

// plan gathers what the criu options depend on.
func (d Dump) plan(info *bundle.ContainerInfo, decisions []mountscan.Decision) (DumpPlan, error) {
	p := DumpPlan{
		PID:            info.PID,
		Rootfs:         info.Rootfs,
		Spec:           info.Spec,
		Externals:      mountscan.Externals(decisions),
		NSInodes:       map[string]uint64{},
		LeaveRunning:   d.LeaveRunning,
		TCPEstablished: d.TCPEstablished,
		FileLocks:      d.FileLocks,
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
	ttys, err := ttyExternals(info.PID)
	if err != nil {
		return p, err
	}
	p.Ttys = ttys
	return p, nil
}

// dump runs criu into the pending folder and records the result.
func (d Dump) dump(ctx context.Context, criu string, version criucmd.Version, info *bundle.ContainerInfo, decisions []mountscan.Decision, plan DumpPlan, pending *Pending, name string) (*Meta, error) {
	plan.ImagesDir = pending.Dir
	opts, err := plan.DumpOptions()
	if err != nil {
		return nil, err
	}
	opts.Timeout = d.Timeout
	procs := processTree(info.PID)
	began := time.Now()
	if d.PreDump {
		var pre criucmd.Options
		pre, opts = WithPreDump(opts)
		if _, err := criucmd.Run(ctx, criu, pre); err != nil {
			return nil, err
		}
	}
	argv, err := criucmd.Args(opts)
	if err != nil {
		return nil, err
	}
	if err := writeDescriptors(pending.Dir, info.PID); err != nil {
		return nil, err
	}
	if _, err := criucmd.Run(ctx, criu, opts); err != nil {
		return nil, err
	}
	meta := newMeta(info, decisions)
	meta.Checkpoint = name
	meta.Processes = procs
	meta.Created = time.Now().UTC()
	meta.CriuVersion = version.String()
	meta.CriuArgs = argv
	meta.DurationMS = time.Since(began).Milliseconds()
	meta.LeaveRunning = d.LeaveRunning
	meta.TCPEstablished = d.TCPEstablished
	meta.FileLocks = d.FileLocks
	if err := WriteMeta(pending.Dir, meta); err != nil {
		return nil, err
	}
	return meta, nil
}

func newMeta(info *bundle.ContainerInfo, decisions []mountscan.Decision) *Meta {
	m := &Meta{
		ID: info.ID, Name: info.Name, PID: info.PID, State: info.State,
		Image: info.Image, ImageID: info.ImageID, Rootfs: info.Rootfs,
		Runtime: info.Runtime, BundlePath: info.BundlePath,
		NamespacePaths: info.NamespacePaths, CgroupPath: info.CgroupPath,
		Tty: info.Tty, Mounts: decisions,
	}
	for _, ns := range info.Namespaces {
		m.Namespaces = append(m.Namespaces, Namespace{Type: string(ns.Type), Path: ns.Path})
	}
	if b, err := json.Marshal(info.Inspect); err == nil {
		m.Engine = b
	}
	return m
}

// writeDescriptors writes runc's descriptors.json: where the init
// process's stdin, stdout and stderr point, so that a runc restore can hand
// the new ones in their place.
func writeDescriptors(dir string, pid int) error {
	fds := make([]string, 3)
	for i := range fds {
		l, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%d", pid, i))
		if err != nil {
			return fmt.Errorf("read stdio of pid %d: %w", pid, err)
		}
		fds[i] = l
	}
	b, err := json.Marshal(fds)
	if err != nil {
		return err
	}
	p := filepath.Join(dir, "descriptors.json")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
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
	out, err := execOutput(ctx, criu, "check", "--feature", "mem_dirty_track")
	if err != nil {
		return fmt.Errorf("%w (criu check --feature mem_dirty_track: %s); dump without --pre-dump", ErrNoDirtyTracking, strings.TrimSpace(lastLineOf(out)))
	}
	return nil
}

// thaw makes sure a freezer cgroup that a failed criu left frozen runs again.
func thaw(dir string) {
	if dir == "" {
		return
	}
	for _, f := range []string{"freezer.state", "cgroup.freeze"} {
		p := filepath.Join(dir, f)
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		switch strings.TrimSpace(string(b)) {
		case "FROZEN", "FREEZING":
			_ = os.WriteFile(p, []byte("THAWED"), 0o644)
		case "1":
			_ = os.WriteFile(p, []byte("0"), 0o644)
		}
	}
}

func isCgroup2() bool {
	var st unix.Statfs_t
	return unix.Statfs("/sys/fs/cgroup", &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// explained shows a criu failure as its full explanation: CRIU's error
// lines, hints and the log's path.
type explained struct{ criu *criucmd.Error }

func (e explained) Error() string { return strings.TrimRight(e.criu.Explain(), "\n") }
func (e explained) Unwrap() error { return e.criu }

// explain points a criu failure at the log kept after the partial folder
// was removed, and makes it print in full.
func explain(err error, keptLog string) error {
	var ce *criucmd.Error
	if !errors.As(err, &ce) {
		if keptLog != "" {
			return fmt.Errorf("%w (CRIU's log: %s)", err, keptLog)
		}
		return err
	}
	if keptLog != "" {
		ce.LogPath = keptLog
	}
	return explained{ce}
}
