package dump

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/namespaces"
	"github.com/ckpt/ckpt/store"
)

// Plan is what a dump needs to know about the container beyond its
// mounts, gathered from /proc and config.json, with the user's choices. It
// is plain data so that the criu options it leads to are computed (and
// tested) without root.
type Plan struct {
	PID          int
	Rootfs       string
	Spec         *specs.Spec
	Externals    []string          // mount externals, from mountscan
	NSInodes     map[string]uint64 // namespace type ("network") → inode, for those config.json gives a path
	NetInode     uint64            // the container's network namespace (/proc/<pid>/ns/net)
	SelfNetInode uint64            // the network namespace ckpt runs in
	FreezeCgroup string            // freezer cgroup dir, "" when none was found
	Ttys         []string          // tty[rdev:dev] keys of the init process's terminal, if any
	// NetHolder says the engine restores through a network holder
	// (engine.Caps.NetnsHolder): the container's own network namespace is
	// then marked external rather than emptied, so that runc hands CRIU
	// the holder's at restore.
	NetHolder bool
	// NoTCP says the container's network namespace was seen with no TCP
	// connection to repair (CountTCP); false when unknown.
	NoTCP     bool
	ImagesDir string

	Flags criucmd.DumpFlags // as the user asked, passed to criu unchanged
}

// Namespaces decides what the dump does with each namespace type of the
// container, and why (namespaces.Decide).
func (p Plan) Namespaces() ([]namespaces.Decision, error) {
	if p.Spec == nil || p.Spec.Linux == nil {
		return nil, fmt.Errorf("config.json has no linux section")
	}
	return namespaces.Decide(namespaces.Input{
		PID: p.PID, Namespaces: p.Spec.Linux.Namespaces, PathInodes: p.NSInodes,
		NetInode: p.NetInode, SelfNetInode: p.SelfNetInode, Holder: p.NetHolder,
	})
}

// NetNS says how CriuOptions treats the network namespace.
func (p Plan) NetNS() string {
	if p.Spec == nil || p.Spec.Linux == nil {
		return store.NetNSShared
	}
	for _, ns := range p.Spec.Linux.Namespaces {
		if ns.Type != specs.NetworkNamespace {
			continue
		}
		switch {
		case ns.Path != "":
			return store.NetNSJoined
		case p.NetHolder:
			return store.NetNSExternal
		default:
			return store.NetNSEmpty
		}
	}
	return store.NetNSShared
}

// CriuOptions turns the plan into criu options as runc builds them for
// `runc checkpoint`: --root, --manage-cgroups, --ext-unix-sk, the freezer
// cgroup, external mounts, namespaces given by path as externals, the
// container's own network namespace emptied (the engine plumbs the network
// again on restore) or, on an engine that restores through a network
// holder, external, and --shell-job with the terminal as external for a
// TTY container. Unlike runc, a container that shares the engine's network
// namespace has criu started in that namespace, so that CRIU locks only its
// connections.
// A container with no TCP connection is dumped without the network lock,
// whose iptables scripts are most of a small dump's frozen time, and
// without --tcp-established, so that CRIU fails on a connection made
// meanwhile rather than dump it unlocked; the dump then retries Locked.
func (p Plan) CriuOptions() (criucmd.Options, error) {
	o := criucmd.Options{
		Action:        criucmd.Dump,
		PID:           p.PID,
		ImagesDir:     p.ImagesDir,
		WorkDir:       p.ImagesDir,
		Root:          p.Rootfs,
		ManageCgroups: true,
		ExtUnixSk:     true,
		FreezeCgroup:  p.FreezeCgroup,
		DumpFlags:     p.Flags,
		LogFile:       "dump.log",
		External:      append([]string{}, p.Externals...),
	}
	ds, err := p.Namespaces()
	if err != nil {
		return o, err
	}
	for _, d := range ds {
		switch d.Action {
		case namespaces.External:
			o.External = append(o.External, d.ExternalKey())
		case namespaces.Empty:
			o.EmptyNS = append(o.EmptyNS, "net")
		case namespaces.Join:
			o.NetNS = d.RunIn
		}
	}
	if p.NoTCP {
		o.NetworkLock = criucmd.NetworkLockSkip
		o.TCPEstablished = false
	}
	if len(p.Ttys) > 0 {
		o.ShellJob = true
		o.External = append(o.External, p.Ttys...)
	}
	return o, nil
}

// FreezerDir is the freezer cgroup of a container whose config.json names
// cgroupsPath, on cgroup v1 (controller folder) or v2 (unified tree).
// systemd-style paths ("slice:prefix:name") are translated as runc does.
func FreezerDir(cgroupRoot string, v2 bool, cgroupsPath string) string {
	p := cgroupsPath
	if parts := strings.Split(p, ":"); len(parts) == 3 && !strings.HasPrefix(p, "/") {
		slice, prefix, name := parts[0], parts[1], parts[2]
		if slice == "" {
			slice = "system.slice"
		}
		p = path.Join("/", slice, prefix+"-"+name+".scope")
	}
	if v2 {
		return filepath.Join(cgroupRoot, p)
	}
	return filepath.Join(cgroupRoot, "freezer", p)
}

// PreDumpDir is where a pre-dump's images go inside the checkpoint folder;
// the dump that follows names it as its parent (CRIU's "parent" link).
const PreDumpDir = "pre"

// WithPreDump splits dump options into a pre-dump, which copies memory
// while the container runs and starts tracking what it changes, and the
// dump that follows it, which writes only the pages changed since. Both
// need memory dirty tracking (soft-dirty) in the kernel.
func WithPreDump(dump criucmd.Options) (pre, final criucmd.Options) {
	pre = dump
	pre.Action = criucmd.PreDump
	pre.ImagesDir = filepath.Join(dump.ImagesDir, PreDumpDir)
	pre.WorkDir = pre.ImagesDir
	pre.LogFile = "pre-dump.log"
	pre.LeaveRunning = false // a pre-dump always leaves the tree running
	pre.TrackMem = true
	pre.NetworkLock = criucmd.NetworkLockDefault // a pre-dump takes none
	final = dump
	final.PrevImagesDir = PreDumpDir
	final.TrackMem = true
	return pre, final
}
