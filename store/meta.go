package store

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/mountscan"
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
	Tty        bool   `json:"tty"`
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
	DurationMS  int64                `json:"duration_ms"`
	// NetNS is how the dump treated the network namespace: "empty" (its
	// own, emptied: the engine plumbs a new one), "external" (its own,
	// marked external: a restore must join one, a network holder),
	// "joined" (another container's), "shared" (host network); "" in
	// checkpoints of ckpt before it recorded this (read as "empty" when
	// the namespace was the container's own).
	NetNS string `json:"netns,omitempty"`
	// DumpFlags are leave_running, tcp_established and file_locks.
	criucmd.DumpFlags

	// Engine is the engine's inspected view of the container (its Config,
	// HostConfig and network settings), so a clone can be created from it.
	Engine json.RawMessage `json:"engine,omitempty"`
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
