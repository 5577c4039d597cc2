// Package engine is the one place ckpt talks to a container engine. It
// offers Engine, a small interface over what ckpt needs of Docker (inspect,
// the engine's facts, create, start from a checkpoint, stop, remove, and
// placing a checkpoint where the engine reads it), with plain ckpt types in
// and out. Docker implements it over github.com/docker/docker/client; what
// differs between engine versions lives in this package and nowhere else.
// Package enginetest has a fake for unit tests.
package engine

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/docker/go-connections/nat"
)

var (
	// ErrNotFound is returned for a container or image the engine does not
	// have.
	ErrNotFound = errors.New("not found")
	// ErrUnreachable is returned when the engine does not answer at all.
	ErrUnreachable = errors.New("docker daemon unreachable")
)

// Engine is what ckpt needs of a container engine. Every method names the
// container or image it failed on; a missing one wraps ErrNotFound, an
// engine that does not answer wraps ErrUnreachable.
type Engine interface {
	// Info reports the engine's version, API, root folder and modes.
	Info(ctx context.Context) (Info, error)
	// Caps reports what ckpt can do on the engine (Info.Caps), from its
	// version alone: one round trip, without Info's docker info.
	Caps(ctx context.Context) (Caps, error)
	// Container inspects a container by name or ID prefix.
	Container(ctx context.Context, ref string) (*Container, error)
	// Image inspects an image by reference or ID.
	Image(ctx context.Context, ref string) (*Image, error)
	// Create makes a new, stopped container from the configuration an
	// engine recorded for another one (Container.Raw), changed as
	// CloneOptions says, and returns its ID.
	Create(ctx context.Context, recorded json.RawMessage, opt CloneOptions) (string, error)
	// CreateHolder makes a network holder (DeriveHolder) from the
	// configuration recorded for a container, and returns its ID; Start
	// with checkpoint "" runs it.
	CreateHolder(ctx context.Context, recorded json.RawMessage, opt HolderOptions) (string, error)
	// Rename gives container id a new name.
	Rename(ctx context.Context, id, name string) error
	// CopyChanges copies the writable layer of container from (its added
	// and modified files, CarryPlan) into container to, except at or under
	// the paths in skip.
	CopyChanges(ctx context.Context, from, to string, skip []string) (Carried, error)
	// Place puts the checkpoint folder src where the engine reads
	// checkpoint name of container id, built aside and swapped in whole:
	// with SymlinkPages, the page images as relative symbolic links into
	// src (falling back to LinkPages if those would not resolve), with
	// LinkPages as hard links where it can, else copies. src must not
	// change until Start has returned.
	Place(ctx context.Context, id, src, name string, mode PlaceMode) (Placed, error)
	// Start starts container id from its placed checkpoint name, or
	// afresh when checkpoint is "".
	Start(ctx context.Context, id, checkpoint string) error
	// List inspects the running containers that match filters (docker ps
	// --filter, as ParseFilters reads them), all running ones when
	// filters is empty, sorted by name.
	List(ctx context.Context, filters map[string][]string) ([]*Container, error)
	// Pause freezes the processes of container id (docker pause).
	Pause(ctx context.Context, id string) error
	// Unpause thaws them again (docker unpause).
	Unpause(ctx context.Context, id string) error
	// Network inspects the network name, as a record EnsureNetwork can make
	// it again from.
	Network(ctx context.Context, name string) (json.RawMessage, error)
	// EnsureNetwork creates the network a record of Network describes,
	// unless one of its name exists; it reports whether it created one.
	EnsureNetwork(ctx context.Context, record json.RawMessage) (bool, error)
	// Reconnect attaches the stopped container id afresh to network (a
	// network made again under the same name has a new ID, which the
	// engine's start would not find), with its aliases there.
	Reconnect(ctx context.Context, id, network string, aliases []string) error
	// SetRestartPolicy changes the restart policy of container id, running
	// or not (docker update --restart).
	SetRestartPolicy(ctx context.Context, id string, p RestartPolicy) error
	// Stop stops container id at once, with no grace period.
	Stop(ctx context.Context, id string) error
	// Remove removes container id, stopping it first if need be.
	Remove(ctx context.Context, id string) error
	// Close releases the connection.
	Close() error
	// Files moves a container's files and images (files.go).
	Files
}

// Info is what the engine says about itself.
type Info struct {
	Version      string   // engine version, "20.10.24+dfsg1"
	APIVersion   string   // the API version ckpt and the engine agreed on
	ServerAPI    string   // the newest API version the engine speaks, "1.56"
	RootDir      string   // the engine's root folder, /var/lib/docker
	Experimental bool     // experimental mode, which checkpoints need on 20.10
	OS           string   // the engine's operating system, "linux"
	Runtimes     []string // the OCI runtimes it knows, sorted
	Caps         Caps     // what ckpt can do on it (CapsOf)
}

// State is a container's run state as the engine reports it.
type State struct {
	Status     string // "running", "exited", ...
	Running    bool
	Paused     bool
	Restarting bool
	Pid        int // init process on the host; 0 when not running
}

// Container is an inspected container, reduced to what ckpt reads.
type Container struct {
	ID        string
	Name      string // without Docker's leading slash
	Image     string // the image name it was created from
	ImageID   string // the image's content ID
	Runtime   string // the OCI runtime ("runc")
	Tty       bool   // docker run -t
	State     State
	MergedDir string   // the storage driver's merged rootfs, "" if none
	Mounts    []string // destinations of its volumes, binds and tmpfs mounts
	Volumes   []Volume // its named volumes
	// RestartPolicy is HostConfig.RestartPolicy (docker run --restart).
	RestartPolicy RestartPolicy
	// Labels are the container's labels (Config.Labels).
	Labels map[string]string
	// Networks are the names of the networks it is attached to, sorted;
	// Aliases its aliases on each (without the engine's own, its short ID).
	Networks []string
	Aliases  map[string][]string
	// Init says the engine runs its init (docker-init) as PID 1 and binds
	// it into the container (docker run --init, compose's init: true).
	Init bool
	// Raw is the engine's whole inspect view (Config, HostConfig, network
	// settings, ...), recorded in container.json so that Create can make
	// the container again after it is gone.
	Raw json.RawMessage
}

// Image is an inspected image.
type Image struct {
	ID string
	// Layers are the digests of its layers' uncompressed contents
	// (RootFS.Layers): the same on every engine that holds the image,
	// whatever ID its image store gives it (Engine 29's containerd store
	// names an image by its manifest, Engine 20.10 by its config).
	Layers []string
}

// CloneOptions changes a recorded configuration for Create.
type CloneOptions struct {
	Name  string // the new container's name
	Image string // image reference to create from; "" keeps the recorded one
	// Runtime is the OCI runtime to run it with; "" keeps the recorded one.
	Runtime string
	// Publish, when not nil, replaces the recorded port bindings; Expose
	// adds its ports to the exposed ones.
	Publish nat.PortMap
	Expose  nat.PortSet
	// NetworkFrom, if set, is a network holder the new container joins
	// (NetworkMode container:<NetworkFrom>), dropping its own network
	// settings.
	NetworkFrom string
	// Annotations are added to the container's (API 1.43 and newer).
	Annotations map[string]string
}

// Placed says where Place put a checkpoint.
type Placed struct {
	Dir    string // the folder the engine reads
	Method Method // how the pages got there
	// Fallback, when SymlinkPages was asked for but not done, says why.
	Fallback string
}
