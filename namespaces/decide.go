// Package namespaces decides, for every namespace type of a container,
// what a dump does with it, and why: CRIU dumps it with the tree, recreates
// it empty, leaves it outside the images (external), or criu itself runs in
// it. The network decision also says how CRIU locks the network while it
// dumps: the whole namespace when the tree's namespace is not criu's own,
// else only the dumped connections. Decide is pure and tested on captured
// config.json; the Linux edges start a program in a network namespace and
// find and remove the firewall rules CRIU's lock leaves behind.
package namespaces

import (
	"fmt"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Action says what a dump does with one namespace.
type Action string

const (
	// Own is a namespace of the container's alone: CRIU dumps it with the
	// tree and restore recreates it.
	Own Action = "own"
	// Empty is the container's own network namespace, which CRIU recreates
	// empty on restore (--empty-ns net) because the engine plumbs the
	// network again.
	Empty Action = "empty"
	// External is a namespace config.json gives by path: CRIU leaves it
	// out of the images under a key (--external net[ino]:extRootNetNS),
	// and restore hands it in again, as runc does.
	External Action = "external"
	// Join is a network namespace the container shares with the engine
	// (config.json has none): criu runs in it, so that the tree's
	// namespace is criu's own and CRIU locks only the dumped connections.
	Join Action = "join"
	// Shared is any other namespace config.json does not name: the
	// engine's, which CRIU leaves alone and restore gives again.
	Shared Action = "shared"
)

// Lock says how CRIU locks the network of the tree while it dumps.
type Lock string

const (
	// LockNamespace blocks all traffic of the namespace (chain CRIU),
	// because the tree's namespace is not criu's own.
	LockNamespace Lock = "namespace"
	// LockConnections blocks only the dumped TCP connections (one DROP
	// rule each way), because the tree shares criu's namespace.
	LockConnections Lock = "connections"
)

// Decision is what a dump does with one namespace type, and why.
type Decision struct {
	// Type is config.json's name for it: "network", "pid", "mount"...
	Type string `json:"type"`
	// Path is the path config.json joins, "" for none.
	Path string `json:"path,omitempty"`
	// Inode identifies the namespace the container is in, where known.
	Inode uint64 `json:"inode,omitempty"`
	// Action is own, empty, external, join or shared.
	Action Action `json:"action"`
	// CriuArg is criu's argument for it: "--empty-ns net",
	// "--external net[4026532001]:extRootNetNS"; "" when there is none.
	CriuArg string `json:"criu_arg,omitempty"`
	// RunIn is the namespace file criu is started in (Join only).
	RunIn string `json:"run_in,omitempty"`
	// Lock is how CRIU locks this (network) namespace while it dumps.
	Lock Lock `json:"lock,omitempty"`
	// Outlives says the namespace lives on when the container stops, so
	// nothing CRIU's lock leaves in it may stay there.
	Outlives bool `json:"outlives,omitempty"`
	// Reason is one sentence saying why.
	Reason string `json:"reason"`
}

// Input is what Decide needs to know: config.json's namespaces and the
// inodes of the namespaces involved.
type Input struct {
	// PID is the container's init process on the host.
	PID int
	// Spec is config.json's list of namespaces.
	Namespaces []specs.LinuxNamespace
	// PathInodes maps a namespace type to the inode of the path
	// config.json gives for it.
	PathInodes map[string]uint64
	// NetInode is the inode of the container's network namespace
	// (/proc/<pid>/ns/net); 0 if unknown.
	NetInode uint64
	// SelfNetInode is the inode of the network namespace ckpt runs in.
	SelfNetInode uint64
	// Holder says the engine restores through a network holder (Engine
	// 28+, containerd#12141): the container's own network namespace is
	// marked external, and a restore hands in the holder's.
	Holder bool
}

// Types are the namespace types of the runtime spec, in the order Decide
// reports them.
var Types = []specs.LinuxNamespaceType{
	specs.NetworkNamespace, specs.PIDNamespace, specs.MountNamespace, specs.IPCNamespace,
	specs.UTSNamespace, specs.UserNamespace, specs.CgroupNamespace, specs.TimeNamespace,
}

// extKey is how runc names a namespace given by path to CRIU: the key is
// looked up again on restore, where runc passes the namespace's descriptor.
var extKey = map[specs.LinuxNamespaceType]string{
	specs.NetworkNamespace: "net[%d]:extRootNetNS",
	specs.PIDNamespace:     "pid[%d]:extRootPidNS",
}

// Decide returns one decision per namespace type, network first. A
// namespace given by path that CRIU cannot take from outside (anything but
// network and pid) is an error, as it is for runc.
func Decide(in Input) ([]Decision, error) {
	given := map[specs.LinuxNamespaceType]specs.LinuxNamespace{}
	for _, ns := range in.Namespaces {
		given[ns.Type] = ns
	}
	out := make([]Decision, 0, len(Types))
	for _, t := range Types {
		ns, named := given[t]
		var d Decision
		var err error
		if t == specs.NetworkNamespace {
			d, err = decideNet(in, ns, named)
		} else {
			d, err = decideOther(in, t, ns, named)
		}
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func decideOther(in Input, t specs.LinuxNamespaceType, ns specs.LinuxNamespace, named bool) (Decision, error) {
	d := Decision{Type: string(t), Path: ns.Path}
	switch {
	case !named:
		d.Action = Shared
		d.Reason = "config.json names no " + string(t) + " namespace: the container shares the engine's, which CRIU leaves as it is"
	case ns.Path == "":
		d.Action = Own
		d.Reason = "the container's own: CRIU dumps it with the processes and restore recreates it"
	default:
		f, ok := extKey[t]
		if !ok {
			return d, fmt.Errorf("the container joins the %s namespace at %s; CRIU can only take network and pid namespaces from outside", t, ns.Path)
		}
		ino, ok := in.PathInodes[string(t)]
		if !ok {
			return d, fmt.Errorf("no inode known for the %s namespace at %s", t, ns.Path)
		}
		d.Action, d.Inode = External, ino
		d.CriuArg = "--external " + fmt.Sprintf(f, ino)
		d.Reason = fmt.Sprintf("config.json joins %s (%s:[%d]), which is not the container's alone: CRIU leaves it out of the images, as runc does, and restore hands it in again", ns.Path, t, ino)
	}
	return d, nil
}

func decideNet(in Input, ns specs.LinuxNamespace, named bool) (Decision, error) {
	d := Decision{Type: string(specs.NetworkNamespace), Path: ns.Path, Inode: in.NetInode}
	self := in.NetInode != 0 && in.NetInode == in.SelfNetInode
	switch {
	case !named:
		d.Action, d.Lock, d.Outlives = Join, LockConnections, true
		d.RunIn = fmt.Sprintf("/proc/%d/ns/net", in.PID)
		d.Reason = fmt.Sprintf("config.json names no network namespace: the container shares the engine's (%s); criu runs in it, so CRIU locks only the dumped connections and the rest of that namespace keeps its traffic", netName(in.NetInode))
		if self {
			d.Reason += " (it is ckpt's own, so nothing changes)"
		}
	case ns.Path == "" && in.Holder:
		d.Action, d.Lock = External, LockNamespace
		d.CriuArg = "--external " + d.ExternalKey()
		d.Reason = "the container's own, on an engine that cannot plumb a network into a restored container (containerd#12141): CRIU leaves it out of the images, and ckpt restore hands in the network of a holder container; CRIU locks it whole while it dumps, and it goes away with the container"
		if self {
			d.Lock = LockConnections
		}
	case ns.Path == "":
		d.Action, d.CriuArg, d.Lock = Empty, "--empty-ns net", LockNamespace
		d.Reason = "the container's own: the engine plumbs a new one at restore, so CRIU recreates it empty; CRIU locks it whole while it dumps, and it goes away with the container"
		if self {
			// criu in the container's namespace: a tree that shares criu's
			// namespace is locked per connection, and CRIU dumps no netns.
			d.Lock = LockConnections
		}
	default:
		ino, ok := in.PathInodes[string(specs.NetworkNamespace)]
		if !ok {
			return d, fmt.Errorf("no inode known for the network namespace at %s", ns.Path)
		}
		d.Action, d.Inode, d.Outlives = External, ino, true
		d.CriuArg = "--external " + d.ExternalKey()
		d.Reason = fmt.Sprintf("config.json joins %s (%s), which is not the container's alone: CRIU leaves it out of the images, as runc does, and restore hands it in again", ns.Path, netName(ino))
		if ino == in.SelfNetInode {
			d.Lock = LockConnections
			d.Reason += "; it is ckpt's own namespace, so CRIU locks only the dumped connections"
		} else {
			d.Lock = LockNamespace
			d.Reason += "; it is not ckpt's, so CRIU blocks all its traffic while it dumps, and ckpt removes what the lock leaves"
		}
	}
	return d, nil
}

func netName(ino uint64) string {
	if ino == 0 {
		return "net:[?]"
	}
	return fmt.Sprintf("net:[%d]", ino)
}

// ExternalKey is criu's --external value for an External decision,
// "net[4026532001]:extRootNetNS"; "" for any other.
func (d Decision) ExternalKey() string {
	f, ok := extKey[specs.LinuxNamespaceType(d.Type)]
	if d.Action != External || !ok {
		return ""
	}
	return fmt.Sprintf(f, d.Inode)
}

// Net returns the network decision of ds, if there is one.
func Net(ds []Decision) (Decision, bool) {
	for _, d := range ds {
		if d.Type == string(specs.NetworkNamespace) {
			return d, true
		}
	}
	return Decision{}, false
}

// CheckAfter says whether a dump's network namespace must be checked for
// the lock's leftovers afterwards: always when it outlives the container,
// and for the container's own when the container still runs (a dump that
// left it running or failed).
func (d Decision) CheckAfter(stillRunning bool) bool {
	return d.Outlives || stillRunning
}
