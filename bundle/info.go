// Package bundle resolves a Docker container reference to what a checkpoint
// needs: the init pid, the OCI bundle and its config.json, the rootfs as
// the host sees it, the namespaces, and the engine's inspect view used to
// recreate the container later. Find asks the engine (through the
// engine.Engine it is given) and Read works from the inspect result alone;
// /proc access lives in read_linux.go; reading the spec, checking the state and locating the
// bundle are plain functions tested anywhere.
package bundle

import (
	"encoding/json"

	"github.com/ckpt/ckpt/engine"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ContainerInfo is a running container as ckpt checkpoints it.
type ContainerInfo struct {
	// ID is the full container ID.
	ID string
	// Name is the container name without Docker's leading slash.
	Name string
	// PID is the container's init process as the host sees it.
	PID int
	// State is Docker's status string ("running").
	State string
	// Rootfs is the merged root filesystem as the host sees it: config.json
	// root.path resolved against the bundle, or GraphDriver's MergedDir.
	Rootfs string
	// Runtime is the OCI runtime Docker names in HostConfig ("runc").
	Runtime string
	// BundlePath is the OCI bundle directory holding config.json.
	BundlePath string
	// Namespaces are the namespaces config.json asks for.
	Namespaces []specs.LinuxNamespace
	// NamespacePaths maps each namespace type of config.json ("network") to
	// a path naming the container's namespace: the path config.json gives
	// where it gives one (Docker gives one for --network host), else
	// /proc/<PID>/ns/<name>.
	NamespacePaths map[string]string
	// CgroupPath is config.json linux.cgroupsPath.
	CgroupPath string
	// Image is the image name the container was created from.
	Image string
	// ImageID is the image's content ID.
	ImageID string
	// Tty says whether the container has a terminal (docker run -t).
	Tty bool
	// RestartPolicy is the engine's restart policy for the container.
	RestartPolicy engine.RestartPolicy
	// Spec is the bundle's config.json.
	Spec *specs.Spec
	// Engine is the engine's whole inspect view, with Config and HostConfig,
	// kept so that the container can be recreated on restore.
	Engine json.RawMessage
}

// Options changes how Find looks for a container's bundle.
type Options struct {
	// Bundle is the OCI bundle directory to use instead of searching.
	Bundle string
	// Paused accepts a container the caller paused through the engine
	// (a group dump freezes all members before dumping the first).
	Paused bool
}
