package dump

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ckpt/ckpt/bundle"
	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/namespaces"
	"github.com/ckpt/ckpt/preflight"
	"github.com/ckpt/ckpt/store"
)

// Run checkpoints the container: it resolves it, decides its mounts, makes
// a private partial folder, runs criu, writes descriptors.json and
// container.json, and renames the folder into place. Any failure leaves no
// checkpoint behind (only the CRIU log, whose path the error names).
func Run(ctx context.Context, eng engine.Engine, d Options) (*Result, error) {
	start := time.Now()
	if err := requireRoot(); err != nil {
		return nil, err
	}
	criu, err := criucmd.FindCriu(d.Criu)
	if err != nil {
		return nil, err
	}
	// criu's version and the engine's capabilities are asked while the
	// container is found: each is a process or a round trip away, and a
	// small dump takes a tenth of a second. A problem with criu is still
	// reported first, the engine's after the container's.
	type probed struct {
		version criucmd.Version
		err     error
	}
	probe := make(chan probed, 1)
	go func() {
		v, err := criucmd.Probe(ctx, criu)
		probe <- probed{v, err}
	}()
	type engCaps struct {
		caps engine.Caps
		err  error
	}
	asked := make(chan engCaps, 1)
	go func() {
		c, err := eng.Caps(ctx)
		asked <- engCaps{c, err}
	}()
	info, findErr := bundle.Find(ctx, eng, d.Container, bundle.Options{Bundle: d.Bundle, Paused: d.Paused})
	p := <-probe
	if p.err != nil {
		return nil, p.err
	}
	version := p.version
	if err := requireVersion(criu, version); err != nil {
		return nil, err
	}
	if d.PreDump {
		if err := dirtyTracking(ctx, criu); err != nil {
			return nil, err
		}
	}
	if findErr != nil {
		return nil, findErr
	}
	decisions, err := mountscan.Scan(info.PID, info.Spec)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	caps := <-asked
	if caps.err != nil {
		return nil, fmt.Errorf("container %s: %w", info.Name, caps.err)
	}
	plan, err := gather(info, decisions, d.DumpFlags, caps.caps.NetnsHolder)
	if err != nil {
		return nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	if d.Paused {
		plan.Flags.LeaveRunning = true // frozen it stays; RunGroup stops it
	}
	if len(plan.Ttys) > 0 {
		if !d.LeaveRunning {
			return nil, fmt.Errorf("%w: %s has a terminal (docker run -t) and Docker cannot restore a checkpoint of it, so ckpt will not stop it; dump it with --leave-running", ErrTtyStop, info.Name)
		}
		if d.Warn != nil {
			fmt.Fprintf(d.Warn, "ckpt: %s has a terminal (docker run -t): it is dumped with --shell-job and its pty as external, but Docker cannot restore it (runc's restore fails with \"criu failed: type NOTIFY errno 0\"); the container keeps running.\n", info.Name)
		}
	}
	name := d.Name
	if name == "" {
		name = defaultName()
	}
	sub := subject{info: info, decisions: decisions, plan: plan}
	sub.procs, sub.rss = processTree(info.PID)
	if err := preflight.CheckUsers(hostPIDs(sub.procs)); err != nil {
		return nil, fmt.Errorf("dump %s: %w", info.Name, err)
	}
	st := store.Store{Dir: d.Dir}
	unlock, err := st.LockDump(info.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	sweep(ctx, st, eng, d.Warn)
	pending, err := st.Begin(info.Name, name, d.Force)
	if err != nil {
		return nil, err
	}
	suspended, err := engine.SuspendRestart(ctx, eng, info.ID, info.RestartPolicy, d.LeaveRunning)
	if err != nil {
		pending.Abort()
		return nil, fmt.Errorf("dump %s: %w", info.Name, err)
	}
	var lockRemoved []string
	meta, err := dump(ctx, d, criu, version, sub, pending, name, suspended, &lockRemoved)
	if err != nil {
		// Thawed before the partial folder, and its record of the freeze,
		// goes: a ckpt killed in between leaves the record to the next
		// sweep.
		if !d.Paused {
			thaw(plan.FreezeCgroup)
		}
		full := ""
		if free, size, serr := store.Space(pending.Dir); serr == nil {
			full = noRoom(d.Dir, free, size)
		}
		kept := pending.Abort()
		err = explain(err, kept)
		if full != "" {
			err = fmt.Errorf("%w\n%s", err, full)
		}
		err = fmt.Errorf("dump %s: %w", info.Name, resumeAfter(ctx, eng, info.ID, suspended, err))
		if !d.LeaveRunning {
			err = stopModeFate(eng, info, err)
		}
		return nil, err
	}
	if err := pending.Commit(); err != nil {
		pending.Abort()
		return nil, resumeAfter(ctx, eng, info.ID, suspended, err)
	}
	if !plan.Flags.LeaveRunning {
		// The processes are gone; wait until the engine says so too, so
		// that what runs next (docker start --checkpoint) finds the
		// container stopped.
		if ins, err := eng.Container(ctx, info.ID); err == nil {
			engine.WaitStopped(ctx, eng, info.ID, ins)
		}
	}
	size, _ := store.DirSize(pending.Final())
	return &Result{Path: pending.Final(), Size: size, Duration: time.Since(start), Meta: meta, LockRemoved: lockRemoved}, nil
}

// subject is what Run learned about the container before its dump, read
// once: its bundle, the mount decisions, the plan, and its processes with
// their resident memory (read before the freeze; the dump records them).
type subject struct {
	info      *bundle.ContainerInfo
	decisions []mountscan.Decision
	plan      Plan
	procs     []store.Process
	rss       int64
}

// dump runs criu into the pending folder and records the result, with the
// restart policy a stop-mode dump suspended.
func dump(ctx context.Context, d Options, criu string, version criucmd.Version, sub subject, pending *store.Pending, name string, suspended *store.RestartPolicy, lockRemoved *[]string) (*store.Meta, error) {
	info, plan := sub.info, sub.plan
	plan.ImagesDir = pending.Dir
	opts, err := plan.CriuOptions()
	if err != nil {
		return nil, err
	}
	opts.Timeout = d.Timeout
	nsDecisions, err := plan.Namespaces()
	if err != nil {
		return nil, err
	}
	argv, err := criucmd.Args(opts)
	if err != nil {
		return nil, err
	}
	if err := writeDescriptors(pending.Dir, info.PID); err != nil {
		return nil, err
	}
	net, _ := namespaces.Net(nsDecisions)
	guard := guardNet(info.PID, net)
	guard.arm(ctx, opts.NetworkLock)
	h := hold{dir: plan.FreezeCgroup, paused: d.Paused}
	if h.dir != "" && !h.paused {
		// Recorded before anything freezes it, ckpt or CRIU, so that a
		// later sweep thaws a container a killed ckpt left frozen.
		if err := pending.RecordFreeze(store.Freeze{Cgroup: h.dir, Container: info.ID}); err != nil {
			return nil, err
		}
	}
	// The bytes written so far are the pending folder's; CRIU writes
	// about the processes' resident memory.
	d.Progress.Phase("dumping "+info.Name, sub.rss)
	stop := d.Progress.Watch(200*time.Millisecond, func() int64 { n, _ := store.DirSize(pending.Dir); return n })
	defer stop()
	began := time.Now()
	err = runCriu(ctx, d, criu, opts, h)
	var ce *criucmd.Error
	if errors.As(err, &ce) && opts.NetworkLock == criucmd.NetworkLockSkip && metTCP(ce.Lines) {
		if d.Warn != nil {
			fmt.Fprintf(d.Warn, "ckpt: %s made a TCP connection while it was dumped without the network lock; dumping again with it\n", info.Name)
		}
		opts = plan.Locked(opts)
		guard.arm(ctx, opts.NetworkLock)
		if argv, err = criucmd.Args(opts); err == nil {
			if err = clearImages(pending.Dir); err == nil {
				err = runCriu(ctx, d, criu, opts, h)
			}
		}
	}
	*lockRemoved = guard.release(ctx, info.Name, opts.LogPath(), plan.Flags.LeaveRunning || err != nil, warnTo(d.Warn))
	if err != nil {
		return nil, err
	}
	if err := pending.ClearFreeze(); err != nil {
		return nil, err
	}
	meta := newMeta(info, sub.decisions)
	meta.NamespaceDecisions = nsDecisions
	meta.Checkpoint = name
	meta.Processes = sub.procs
	meta.Timestamp = time.Now().UTC()
	meta.CriuVersion = version.String()
	meta.CriuArgs = argv
	meta.DurationMS = time.Since(began).Milliseconds()
	meta.DumpFlags = d.DumpFlags
	meta.RestartPolicy = suspended
	meta.Group, meta.Networks = d.Group, d.Networks
	meta.NetNS = plan.NetNS()
	if err := store.WriteMeta(pending.Dir, meta); err != nil {
		return nil, err
	}
	return meta, nil
}

// resumeAfter puts back the restart policy a failed dump suspended, and
// adds to err what went wrong doing so.
func resumeAfter(ctx context.Context, eng engine.Engine, id string, suspended *store.RestartPolicy, err error) error {
	if rerr := engine.ResumeRestart(ctx, eng, id, suspended); rerr != nil {
		return fmt.Errorf("%w\n%v", err, rerr)
	}
	return err
}

// runCriu runs the dump, after a pre-dump if asked, each with the
// container held as h says.
func runCriu(ctx context.Context, d Options, criu string, opts criucmd.Options, h hold) error {
	run := func(o criucmd.Options) error {
		return h.around(o, func(o criucmd.Options) error {
			_, err := criucmd.Run(ctx, criu, o)
			return err
		})
	}
	if d.PreDump {
		var pre criucmd.Options
		pre, opts = WithPreDump(opts)
		if err := run(pre); err != nil {
			return err
		}
	}
	return run(opts)
}

// newMeta is container.json's record of the container.
func newMeta(info *bundle.ContainerInfo, decisions []mountscan.Decision) *store.Meta {
	m := &store.Meta{
		ID: info.ID, Name: info.Name, PID: info.PID, State: info.State,
		Image: info.Image, ImageID: info.ImageID, Rootfs: info.Rootfs,
		Runtime: info.Runtime, BundlePath: info.BundlePath,
		Namespaces:     map[string]string{},
		NamespacePaths: info.NamespacePaths, CgroupPath: info.CgroupPath,
		Tty: info.Tty, Mounts: decisions, Engine: info.Engine,
	}
	for _, ns := range info.Namespaces {
		m.Namespaces[string(ns.Type)] = ns.Path
	}
	return m
}

// clearImages removes what a failed criu run left in dir, all but
// descriptors.json.
func clearImages(dir string) error {
	des, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, de := range des {
		if de.Name() != "descriptors.json" {
			if err := os.RemoveAll(filepath.Join(dir, de.Name())); err != nil {
				return err
			}
		}
	}
	return nil
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

// thaw makes sure a freezer cgroup that a failed criu left frozen runs again.
func thaw(dir string) {
	if dir == "" {
		return
	}
	path, err := freezerFile(dir)
	if err != nil {
		return
	}
	if s, err := freezerState(path); err == nil && s != Thawed {
		_ = setFreezer(path, Thawed)
	}
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

// Explain finds the container and decides its namespaces as a dump would,
// without dumping: what `ckpt dump --explain` shows.
func Explain(ctx context.Context, eng engine.Engine, d Options) (string, []namespaces.Decision, error) {
	info, err := bundle.Find(ctx, eng, d.Container, bundle.Options{Bundle: d.Bundle})
	if err != nil {
		return "", nil, err
	}
	caps, err := eng.Caps(ctx)
	if err != nil {
		return info.Name, nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	plan, err := gather(info, nil, d.DumpFlags, caps.NetnsHolder)
	if err != nil {
		return info.Name, nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	ds, err := plan.Namespaces()
	if err != nil {
		return info.Name, nil, fmt.Errorf("container %s: %w", info.Name, err)
	}
	return info.Name, ds, nil
}
