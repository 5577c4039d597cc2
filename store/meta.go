package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/mountscan"
	"github.com/ckpt/ckpt/namespaces"
)

// MetaFile is ckpt's own record in a checkpoint folder.
const MetaFile = "container.json"

// Meta is container.json: what was checkpointed, how, and what is needed to
// bring it back, even after the container itself is gone. Its first keys
// are those of the docker-checkpoint tool's metadata, with the same names
// and shapes, so that scripts written for that tool read it; the rest are
// ckpt's own. ReadMeta also reads the container.json of ckpt's first
// release (meta_compat.go).
type Meta struct {
	// The docker-checkpoint tool's keys.
	ID         string `json:"id"`
	Name       string `json:"name"`
	Runtime    string `json:"runtime"`
	Rootfs     string `json:"rootfs"`
	BundlePath string `json:"bundle_path"` // the OCI bundle holding config.json
	// Namespaces maps each namespace type of config.json ("network") to the
	// path it joins, "" for a namespace of the container's own.
	Namespaces map[string]string `json:"namespaces"`
	CgroupPath string            `json:"cgroup_path"`
	Timestamp  time.Time         `json:"timestamp"` // when the dump finished (RFC 3339)

	// ckpt's keys.
	Checkpoint string `json:"checkpoint"` // the checkpoint's name
	PID        int    `json:"pid"`        // init process on the host at dump time
	State      string `json:"state"`
	Image      string `json:"image"`
	ImageID    string `json:"image_id"`
	// ImageLayers are the image's layer digests (engine.Image.Layers),
	// which name it on another engine whose store gives it another ID;
	// recorded by export.
	ImageLayers []string `json:"image_layers,omitempty"`
	Tty         bool     `json:"tty"`
	// NamespacePaths maps each namespace type to a path naming the
	// container's namespace at dump time (/proc/<pid>/ns/net, or the path
	// it joins).
	NamespacePaths map[string]string `json:"namespace_paths,omitempty"`
	// Processes are the container's processes as /proc showed them just
	// before the dump, with their command lines (CRIU's images keep none).
	Processes []Process `json:"processes,omitempty"`

	CriuVersion string               `json:"criu_version"`
	CriuArgs    []string             `json:"criu_args"` // the exact argv after the binary
	Mounts      []mountscan.Decision `json:"mounts"`
	// NamespaceDecisions say what the dump did with each namespace type
	// and why; for a network namespace shared with the engine, criu ran in
	// it (run_in), so the images hold no network namespace and a restore
	// puts the processes back in the engine's.
	NamespaceDecisions []namespaces.Decision `json:"namespace_decisions,omitempty"`
	DurationMS         int64                 `json:"duration_ms"`
	// NetNS is how the dump treated the network namespace: "empty" (its
	// own, emptied: the engine plumbs a new one), "external" (its own,
	// marked external: a restore must join one, a network holder),
	// "joined" (another container's), "shared" (host network); "" in
	// checkpoints of ckpt before it recorded this (read as "empty" when
	// the namespace was the container's own).
	NetNS string `json:"netns,omitempty"`
	// DumpFlags are leave_running, tcp_established and file_locks.
	criucmd.DumpFlags

	// RestartPolicy is the restart policy ckpt suspended for a stop-mode
	// dump (so that the engine would not restart the container when CRIU
	// killed it), to be put back when the container is restored; nil when
	// ckpt changed none. Engine still holds the policy as it was.
	RestartPolicy *RestartPolicy `json:"restart_policy,omitempty"`

	// Group, for a checkpoint made with others in one command (ckpt dump
	// --all or --filter), names them all: they are one consistent state
	// only together.
	Group *Group `json:"group,omitempty"`
	// Networks are the engine's records of the user networks the container
	// was on, by name, so a restore can make a missing one again first.
	Networks map[string]json.RawMessage `json:"networks,omitempty"`

	// Engine is the engine's inspected view of the container (its Config,
	// HostConfig and network settings), so a clone can be created from it.
	Engine json.RawMessage `json:"engine,omitempty"`
}

// RestartPolicy is a container's restart policy as the engine names it.
type RestartPolicy struct {
	Name              string `json:"name"` // "always", "unless-stopped", "on-failure"
	MaximumRetryCount int    `json:"maximum_retry_count,omitempty"`
}

// Group is a set of containers checkpointed together: the engine paused
// all of them before the first dump and thawed them after the last, so no
// process of one ran while another was being dumped. Every member's
// checkpoint has the group's name and the same Group record.
type Group struct {
	// Members are the containers' names in dump order.
	Members []string `json:"members"`
	// Selector is what chose them: "--all", or the --filter values.
	Selector []string `json:"selector"`
	// PausedAt is when ckpt began to pause the members, one after the
	// other; FrozenAt when all were paused; DumpedAt when the last dump
	// ended (the members were stopped or thawed right after).
	PausedAt time.Time `json:"paused_at"`
	FrozenAt time.Time `json:"frozen_at"`
	DumpedAt time.Time `json:"dumped_at"`
}

// Process is one process of the checkpointed container.
type Process struct {
	PID     int      `json:"pid"`      // inside the container, as in CRIU's images
	HostPID int      `json:"host_pid"` // as the host saw it
	Cmdline []string `json:"cmdline"`
}

// WriteMeta writes m as dir/container.json, private to root.
func WriteMeta(dir string, m *Meta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", MetaFile, err)
	}
	p := filepath.Join(dir, MetaFile)
	if err := os.WriteFile(p, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// ReadMeta reads dir/container.json, of this release or the first.
func ReadMeta(dir string) (*Meta, error) {
	p := filepath.Join(dir, MetaFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	var m Meta
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", p, err)
	}
	return &m, nil
}

// How a dump treated the container's network namespace (Meta.NetNS).
const (
	NetNSEmpty    = "empty"    // own netns, --empty-ns net: the engine plumbs a new one
	NetNSExternal = "external" // own netns marked external: a restore must supply one (a holder)
	NetNSJoined   = "joined"   // a netns given by path (container:X), external as runc marks it
	NetNSShared   = "shared"   // no netns in the spec (host network): nothing marked
)

// NetNSForm is how the dump treated the network namespace, with
// checkpoints of ckpt before it recorded that read as emptied when the
// namespace was the container's own.
func (m *Meta) NetNSForm() string {
	if own, ok := m.Namespaces["network"]; m.NetNS == "" && ok && own == "" {
		return NetNSEmpty
	}
	return m.NetNS
}
