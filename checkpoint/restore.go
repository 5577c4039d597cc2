package checkpoint

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/ckpt/ckpt/engine"
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

// Restore is what `ckpt restore` asks for.
type Restore struct {
	Container string   // container name as the store records it
	Name      string   // checkpoint name; "" for the newest complete one
	Dir       string   // store folder
	As        string   // "" restores in place; else the name of a new container
	Publish   []string // --publish values; they replace the recorded port bindings of a clone

	Engine   engine.Engine // the engine that starts it
	RuncConf RuncConf      // where runc reads CRIU's settings; zero for the real one
}

// RestoreResult is a container running again from a checkpoint.
type RestoreResult struct {
	Container  string        `json:"container"` // the container now running
	ID         string        `json:"id"`
	Checkpoint string        `json:"checkpoint"`
	Source     string        `json:"source"` // the checkpoint in the store
	Placed     string        `json:"placed"` // where the engine read it from
	Linked     bool          `json:"linked"` // placed by hard links rather than a copy
	Clone      bool          `json:"clone"`
	Duration   time.Duration `json:"-"`
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
func (r Restore) validate() error {
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
func (r Restore) pick() (Entry, error) {
	s := Store{Dir: r.Dir}
	if r.Name == "" {
		return s.Newest(r.Container)
	}
	return s.Get(r.Container, r.Name)
}
