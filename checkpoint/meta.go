package checkpoint

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ckpt/ckpt/mountscan"
)

// MetaFile is ckpt's own record in a checkpoint folder.
const MetaFile = "container.json"

// Meta is container.json: what was checkpointed, how, and what is needed to
// bring it back, even after the container itself is gone.
type Meta struct {
	Checkpoint string    `json:"checkpoint"` // the checkpoint's name
	Created    time.Time `json:"created"`    // when the dump finished

	ID             string            `json:"id"`
	Name           string            `json:"name"`
	PID            int               `json:"pid"` // init process on the host at dump time
	State          string            `json:"state"`
	Image          string            `json:"image"`
	ImageID        string            `json:"image_id"`
	Rootfs         string            `json:"rootfs"`
	Runtime        string            `json:"runtime"`
	BundlePath     string            `json:"bundle"`
	Namespaces     []Namespace       `json:"namespaces"`
	NamespacePaths map[string]string `json:"namespace_paths,omitempty"`
	CgroupPath     string            `json:"cgroup_path"`
	Tty            bool              `json:"tty"`
	// Processes are the container's processes as /proc showed them just
	// before the dump, with their command lines (CRIU's images keep none).
	Processes []Process `json:"processes,omitempty"`

	CriuVersion    string               `json:"criu_version"`
	CriuArgs       []string             `json:"criu_args"` // the exact argv after the binary
	Mounts         []mountscan.Decision `json:"mounts"`
	DurationMS     int64                `json:"duration_ms"`
	LeaveRunning   bool                 `json:"leave_running"`
	TCPEstablished bool                 `json:"tcp_established"`
	FileLocks      bool                 `json:"file_locks"`

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

// Namespace is one namespace of the container's config.json, with the path
// it joins when the runtime was given one (Docker gives one for net).
type Namespace struct {
	Type string `json:"type"`
	Path string `json:"path,omitempty"`
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

// ReadMeta reads dir/container.json.
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
