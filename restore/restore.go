// Package restore starts a container again from a checkpoint of the store,
// through the engine: it picks the checkpoint, finds the stopped original
// (in place) or creates a clone from the recorded configuration (--as,
// with --publish replacing its port bindings), verifies the target's image
// and mounts against the checkpoint, has the engine place the checkpoint
// where it reads it and start from it, with ckpt's CRIU settings in
// runc.conf for that one start. On failure it quotes CRIU's restore log.
package restore

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

var (
	// ErrRestoreFailed is returned when the engine could not start the
	// container from the checkpoint; the error carries CRIU's log lines.
	ErrRestoreFailed = errors.New("restore failed")
	// ErrNoContainer is returned for an in-place restore of a container
	// that no longer exists.
	ErrNoContainer = errors.New("no such container")
	// ErrNameTaken is returned by --as when a container of that name exists.
	ErrNameTaken = errors.New("container name already in use")
)

// Request is what `ckpt restore` asks for.
type Request struct {
	Container string   // container name as the store records it
	Name      string   // checkpoint name; "" for the newest complete one
	Dir       string   // store folder
	As        string   // "" restores in place; else the name of a new container
	Publish   []string // --publish values; they replace the recorded port bindings of a clone
	// HoldBinary is a statically linked ckpt on the host that a network
	// holder runs (`ckpt hold`); "" makes the holder run the image's sleep.
	HoldBinary string

	RuncConf RuncConf        // where runc reads CRIU's settings; zero for the real one
	Progress *progress.Meter // shows the restore's phases; nil for none
	// Timeout bounds the engine's start from the checkpoint (CRIU's
	// restore); zero means DefaultTimeout. When it passes, or the context
	// is cancelled, ckpt kills the restore's criu and the container is
	// left stopped (see guardStart).
	Timeout time.Duration

	// prepare, if set, fills a new container before it starts (an import's
	// files); started, if set, runs once it runs. An error of either
	// fails the restore and removes the new container.
	prepare, started func(ctx context.Context, id string) error
	// runtime, if set, replaces the recorded OCI runtime of a new
	// container (an import from an engine that named its runtime otherwise).
	runtime string
	// kill stops the restore's criu when the start is cut short; nil for
	// killRestoreCriu.
	kill criuKiller
}

// Result is a container running again from a checkpoint.
type Result struct {
	Container  string `json:"container"` // the container now running
	ID         string `json:"id"`
	Checkpoint string `json:"checkpoint"`
	Source     string `json:"source"` // the checkpoint in the store
	Placed     string `json:"placed"` // where the engine read it from
	// Placement is how the pages reached the engine: symlinked,
	// hard-linked or copied.
	Placement engine.Method `json:"placement"`
	Linked    bool          `json:"linked"`             // the pages were not copied
	Fallback  string        `json:"fallback,omitempty"` // why the pages were not symlinked
	Clone     bool          `json:"clone"`
	// Through a network holder (engines with engine.Caps.NetnsHolder):
	Holder   string `json:"holder,omitempty"`   // the holder keeping the network, ckpt-net-NAME
	Replaced string `json:"replaced,omitempty"` // in place: the ID of the container it replaced
	Carried  int    `json:"carried,omitempty"`  // paths of the writable layer copied into it
	// NetNS is the form ("empty", "external") the placed checkpoint's
	// network namespace was converted to for this engine, "" if it was
	// restored as dumped (see netconv.go).
	NetNS string `json:"netns_converted,omitempty"`
	// RestartPolicy is the restart policy in force on the container again
	// (put back after a stop-mode dump suspended it, or the clone's
	// recorded one); "" when it has none.
	RestartPolicy string `json:"restart_policy,omitempty"`
	// Warnings say what went wrong after the container was running again.
	Warnings []string      `json:"warnings,omitempty"`
	Duration time.Duration `json:"-"`
}

// containerNameRE is Docker's rule for container names.
var containerNameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// ValidContainerName checks a name for a new container as Docker would,
// so that --as fails before anything is created.
func ValidContainerName(s string) error {
	if !containerNameRE.MatchString(s) {
		return fmt.Errorf("%w: container name %q: use letters, digits, '_', '.' and '-', starting with a letter or digit", store.ErrBadName, s)
	}
	return nil
}

// validate checks the request before anything is touched.
func (r Request) validate() error {
	if err := store.ValidName("container name", r.Container); err != nil {
		return err
	}
	if r.Name != "" {
		if err := store.ValidName("checkpoint name", r.Name); err != nil {
			return err
		}
	}
	if r.As == "" && len(r.Publish) > 0 {
		return fmt.Errorf("%w: --publish changes the port bindings of a new container; use it with --as NEWNAME", ErrBadPublish)
	}
	if r.As != "" {
		if err := ValidContainerName(r.As); err != nil {
			return err
		}
	}
	return nil
}

// pick returns the requested checkpoint, or the newest complete one.
func (r Request) pick() (store.Entry, error) {
	return store.Store{Dir: r.Dir}.Pick(r.Container, r.Name)
}
