package dump

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/ckpt/ckpt/criucmd"
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
	FreezeCgroup string            // freezer cgroup dir, "" when none was found
	FreezerV1    bool              // FreezeCgroup is a cgroup v1 freezer (freezer.state)
	// Hook is the action script that freezes the cgroup before CRIU
	// looks at it (hookScript); "" for none.
	Hook string
	Ttys []string // tty[rdev:dev] keys of the init process's terminal, if any
	// NoTCP says the container's network namespace was seen with no TCP
	// connection to repair (CountTCP); false when unknown.
	NoTCP     bool
	ImagesDir string

	Flags criucmd.DumpFlags // as the user asked, passed to criu unchanged
}

// extNSKey is how runc names an external namespace to CRIU: the key is
// looked up again on restore, where runc passes the namespace's descriptor.
var extNSKey = map[specs.LinuxNamespaceType]string{
	specs.NetworkNamespace: "net",
	specs.PIDNamespace:     "pid",
}

var extNSName = map[specs.LinuxNamespaceType]string{
	specs.NetworkNamespace: "extRootNetNS",
	specs.PIDNamespace:     "extRootPidNS",
}

// CriuOptions turns the plan into criu options as runc builds them for
// `runc checkpoint`: --root, --manage-cgroups, --ext-unix-sk, the freezer
// cgroup, external mounts, namespaces given by path as externals, an empty
// network namespace (Docker plumbs the network again on restore), and
// --shell-job with the terminal as external for a TTY container. A
// container with no TCP connection is dumped without the network lock,
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
	if p.Spec == nil || p.Spec.Linux == nil {
		return o, fmt.Errorf("config.json has no linux section")
	}
	ownNet := false
	for _, ns := range p.Spec.Linux.Namespaces {
		if ns.Path == "" {
			if ns.Type == specs.NetworkNamespace {
				ownNet = true
			}
			continue
		}
		key, ok := extNSKey[ns.Type]
		if !ok {
			return o, fmt.Errorf("the container joins the %s namespace at %s; CRIU can only take network and pid namespaces from outside", ns.Type, ns.Path)
		}
		ino, ok := p.NSInodes[string(ns.Type)]
		if !ok {
			return o, fmt.Errorf("no inode known for the %s namespace at %s", ns.Type, ns.Path)
		}
		o.External = append(o.External, fmt.Sprintf("%s[%d]:%s", key, ino, extNSName[ns.Type]))
	}
	if ownNet {
		o.EmptyNS = []string{"net"}
	}
	if p.NoTCP {
		o.NetworkLock = criucmd.NetworkLockSkip
		o.TCPEstablished = false
	}
	if p.FreezeCgroup != "" && p.FreezerV1 && p.Hook != "" {
		o.ActionScripts = append(o.ActionScripts, p.Hook)
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
	pre.ActionScripts = nil
	final = dump
	final.PrevImagesDir = PreDumpDir
	final.TrackMem = true
	return pre, final
}
