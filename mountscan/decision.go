// Package mountscan decides, for every mount of a running container, whether
// CRIU may dump it as part of the container or must be told that it is
// external, and with which --external argument. The core, Classify, is pure:
// it reads parsed mountinfo lines and the container's OCI spec, so it is
// tested on mountinfo and config.json captured from real containers. Scan
// reads /proc/<pid>/mountinfo on Linux.
package mountscan

// Action says what a dump does with one mount.
type Action string

const (
	// ActionRoot is the container's root filesystem, given to CRIU as --root.
	ActionRoot Action = "root"
	// ActionExternal is a mount whose source lives outside the container;
	// CRIU only records a key for it, and restore maps the key to a source.
	ActionExternal Action = "external"
	// ActionInternal is a mount CRIU recreates by itself on restore.
	ActionInternal Action = "internal"
)

// Decision is what ckpt does with one mountinfo line, and why.
type Decision struct {
	// Mountpoint is the mount's path inside the container.
	Mountpoint string `json:"mountpoint"`
	// FSType is the filesystem type from mountinfo.
	FSType string `json:"fstype"`
	// Source is mountinfo's source field; for a bind of a subtree the root
	// inside that filesystem follows in brackets, as findmnt shows it
	// ("/dev/vda[/tmp/x]").
	Source string `json:"source"`
	// Action is root, external or internal.
	Action Action `json:"action"`
	// CriuArg is the value for criu's --external for external mounts, in
	// runc's form mnt[<mountpoint>]:<key>; empty otherwise.
	CriuArg string `json:"criu_arg"`
	// Reason is one sentence saying why the action was chosen.
	Reason string `json:"reason"`
}

// Externals returns the --external values of the external decisions, in order.
func Externals(ds []Decision) []string {
	var out []string
	for _, d := range ds {
		if d.Action == ActionExternal && d.CriuArg != "" {
			out = append(out, d.CriuArg)
		}
	}
	return out
}

// extMount formats runc's external-mount argument: the mountpoint is the
// key CRIU records at dump, and key is what restore must map to a source.
func extMount(mountpoint, key string) string {
	return "mnt[" + mountpoint + "]:" + key
}
