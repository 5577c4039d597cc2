package mountscan

import (
	"errors"
	"fmt"
	"path"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

var (
	// ErrNoSpec is returned when Classify gets no OCI spec: without
	// config.json a bind mount from the host cannot be told apart from a
	// mount the container made itself.
	ErrNoSpec = errors.New("no OCI spec given")
	// ErrNoRoot is returned when no mount sits at /: the entries are not
	// those of a container, and CRIU would have no --root.
	ErrNoRoot = errors.New("no mount at /")
	// ErrUnknownMount is returned for a mount that fits no rule. ckpt refuses
	// to guess, because a wrong guess makes the dump or the restore fail.
	ErrUnknownMount = errors.New("mount fits no rule")
)

// freshFS lists the filesystem types CRIU mounts anew on restore when the
// container shows them from their root: kernel pseudo filesystems, and tmpfs
// whose content CRIU saves in the image.
var freshFS = map[string]bool{
	"proc":   true,
	"sysfs":  true,
	"devpts": true,
	"mqueue": true,
	"tmpfs":  true,
}

// rule returns a decision and true when it applies to m.
type rule func(ix *specIndex, m *mountinfo.Info) (Decision, bool)

// rules are tried in order; the first that applies decides. The order
// matters: config.json binds come before the filesystem-type rules because a
// host tmpfs bound whole into the container looks like a fresh tmpfs.
var rules = []rule{
	ruleRoot,
	ruleSpecBind,
	ruleDevice,
	ruleCgroupV1,
	ruleCgroupV2,
	rulePtyBind,
	ruleMasked,
	ruleInsideBind,
	ruleFresh,
}

// Classify returns one Decision per mountinfo entry, in mountinfo order.
// infos are the container's mounts as its init process sees them; spec is
// its config.json. A mount that no rule explains is an error that names it.
func Classify(infos []*mountinfo.Info, spec *specs.Spec) ([]Decision, error) {
	if spec == nil {
		return nil, fmt.Errorf("classify %d mounts: %w", len(infos), ErrNoSpec)
	}
	ix := newSpecIndex(infos, spec)
	out := make([]Decision, 0, len(infos))
	for i, m := range infos {
		if m == nil {
			return nil, fmt.Errorf("classify mounts: entry %d is nil", i)
		}
		d, err := classifyOne(ix, m)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	if !hasRoot(out) {
		return nil, fmt.Errorf("classify %d mounts: %w", len(infos), ErrNoRoot)
	}
	return out, nil
}

func classifyOne(ix *specIndex, m *mountinfo.Info) (Decision, error) {
	for _, r := range rules {
		if d, ok := r(ix, m); ok {
			d.Mountpoint, d.FSType, d.Source = m.Mountpoint, m.FSType, sourceOf(m)
			return d, nil
		}
	}
	return Decision{}, fmt.Errorf("mount %s (fstype %s, source %s): %w",
		m.Mountpoint, m.FSType, sourceOf(m), ErrUnknownMount)
}

func hasRoot(ds []Decision) bool {
	for _, d := range ds {
		if d.Action == ActionRoot {
			return true
		}
	}
	return false
}

// sourceOf renders the source as findmnt does: the bracketed root is added
// when the mount shows a subtree of its filesystem.
func sourceOf(m *mountinfo.Info) string {
	if m.Root == "" || m.Root == "/" {
		return m.Source
	}
	return m.Source + "[" + m.Root + "]"
}

func internal(reason string) Decision {
	return Decision{Action: ActionInternal, Reason: reason}
}

func external(arg, reason string) Decision {
	return Decision{Action: ActionExternal, CriuArg: arg, Reason: reason}
}

// ruleRoot: the mount at / is the rootfs, which CRIU gets as --root.
func ruleRoot(_ *specIndex, m *mountinfo.Info) (Decision, bool) {
	if m.Mountpoint != "/" {
		return Decision{}, false
	}
	return Decision{Action: ActionRoot,
		Reason: "The container's root filesystem is passed to criu as --root, not dumped as a mount."}, true
}

// ruleSpecBind: a bind mount listed in config.json (volumes, /etc/hosts,
// /etc/hostname, /etc/resolv.conf, a shareable /dev/shm) comes from the
// host. The key is the destination, as runc uses it, so that stock runc
// restore (which maps mnt[<dest>]:<source>) finds it.
func ruleSpecBind(ix *specIndex, m *mountinfo.Info) (Decision, bool) {
	sm, ok := ix.binds[path.Clean(m.Mountpoint)]
	if !ok {
		return Decision{}, false
	}
	return external(extMount(m.Mountpoint, m.Mountpoint),
		fmt.Sprintf("Bind mount of host path %s from config.json, so restore must bind it again from outside.", sm.Source)), true
}

// ruleDevice: a linux.devices entry that shows up as a mount was bound from
// the host's device node (runc binds devices when it cannot mknod them), and
// runc names it by its path on dump and restore.
func ruleDevice(ix *specIndex, m *mountinfo.Info) (Decision, bool) {
	if !ix.devices[path.Clean(m.Mountpoint)] {
		return Decision{}, false
	}
	return external(extMount(m.Mountpoint, m.Mountpoint),
		"Device node bound from the host as config.json linux.devices asks, so restore binds the host's node again."), true
}

// ruleCgroupV1: without a cgroup namespace each cgroup v1 controller is a
// bind of the container's cgroup directory on the host, external as runc
// makes it; inside a cgroup namespace it is a real mount CRIU makes again.
func ruleCgroupV1(ix *specIndex, m *mountinfo.Info) (Decision, bool) {
	if m.FSType != "cgroup" {
		return Decision{}, false
	}
	if ix.cgroupNS {
		return internal("Cgroup v1 controller mounted inside the container's cgroup namespace, a real mount that criu mounts again."), true
	}
	return external(extMount(m.Mountpoint, m.Mountpoint),
		"Cgroup v1 controller bound from the host's hierarchy, which runc re-binds on restore under the same key."), true
}

// ruleCgroupV2: the unified hierarchy is a real cgroup2 mount; runc leaves
// it out of the external mounts (runc#2328) and CRIU mounts it again.
func ruleCgroupV2(_ *specIndex, m *mountinfo.Info) (Decision, bool) {
	if m.FSType != "cgroup2" {
		return Decision{}, false
	}
	return internal("Cgroup v2 is a real cgroup2 mount, which runc leaves to criu to mount again."), true
}

// rulePtyBind: a single pty bound as a file from devpts (the /dev/console of
// a `docker run -t` container shows as "devpts /0", the pty runc opened in
// the container's devpts) cannot be rebuilt by CRIU: its master is held by
// the shim, outside the container. Measured with criu 4.2.1: without
// --external mnt[/dev/console]:/dev/console the dump fails with "tty: Unable
// to find a master for /0"; with it (and --shell-job) the dump succeeds.
func rulePtyBind(_ *specIndex, m *mountinfo.Info) (Decision, bool) {
	if m.FSType != "devpts" || m.Root == "/" || m.Root == "" {
		return Decision{}, false
	}
	return external(extMount(m.Mountpoint, m.Mountpoint),
		"A pty bound as a file from devpts whose master lives outside the container, so criu must treat it as external."), true
}

// ruleMasked: a masked path is either an empty read-only tmpfs (a masked
// directory) or a bind of a /dev/null. A /dev/null of the container's own
// /dev is recreated by CRIU; one bound from outside (the host's, as left by
// a runc restore) is external with the key /dev/null, which runc's restore
// maps to the host's /dev/null.
func ruleMasked(ix *specIndex, m *mountinfo.Info) (Decision, bool) {
	if !ix.masked[path.Clean(m.Mountpoint)] {
		return Decision{}, false
	}
	switch {
	case ix.boundFromInside(m):
		return internal("Masked path bound from a file of the container's own mounts, which criu binds again."), true
	case m.FSType == "tmpfs" && (m.Root == "/" || m.Root == ""):
		return internal("Masked directory covered by an empty tmpfs, which criu mounts again."), true
	case m.Root != "/" && m.Root != "":
		return external(extMount(m.Mountpoint, "/dev/null"),
			"Masked path bound from a /dev/null outside the container, which runc's restore maps to the host's /dev/null."), true
	}
	return Decision{}, false
}

// ruleInsideBind: a bind of a subtree of another mount of the container
// (read-only paths such as /proc/sys) is recreated by CRIU from that mount.
func ruleInsideBind(ix *specIndex, m *mountinfo.Info) (Decision, bool) {
	if !ix.boundFromInside(m) {
		return Decision{}, false
	}
	return internal("Bind of a subtree of another mount of the container, which criu binds again."), true
}

// ruleFresh: a pseudo filesystem or tmpfs shown from its root was mounted
// by the runtime inside the container; CRIU mounts it again (and saves
// tmpfs content).
func ruleFresh(_ *specIndex, m *mountinfo.Info) (Decision, bool) {
	if !freshFS[m.FSType] || (m.Root != "/" && m.Root != "") {
		return Decision{}, false
	}
	if m.FSType == "tmpfs" {
		return internal("A tmpfs of the container's own, which criu mounts again with its saved content."), true
	}
	return internal(fmt.Sprintf("A %s mounted for the container, which criu mounts again.", m.FSType)), true
}
