package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// DefaultDir is where checkpoints go unless --dir says otherwise.
const DefaultDir = "/var/lib/ckpt"

var (
	// ErrExists is returned when a checkpoint of that name is already there.
	ErrExists = errors.New("checkpoint already exists")
	// ErrNotFound is returned when no such (complete) checkpoint exists.
	ErrNotFound = errors.New("no such checkpoint")
	// ErrIncomplete is returned for a folder that lacks what a restore needs.
	ErrIncomplete = errors.New("incomplete checkpoint")
)

// RequiredFiles must all be in a folder for it to be a checkpoint.
var RequiredFiles = []string{"inventory.img", "pstree.img", MetaFile}

// Store is a folder of checkpoints, one subfolder per container name.
type Store struct {
	Dir string
}

// Path is the folder of checkpoint name of container.
func (s Store) Path(container, name string) string {
	return filepath.Join(s.Dir, container, name)
}

// Complete reports whether dir holds every file a restore needs, naming the
// first one missing.
func Complete(dir string) error {
	for _, f := range RequiredFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			return fmt.Errorf("%w: %s has no %s", ErrIncomplete, dir, f)
		}
	}
	return nil
}

// Pending is a checkpoint being made: a private hidden folder beside its
// final place. Commit renames it into place; Abort removes it.
type Pending struct {
	Dir   string // where CRIU writes now
	final string
	force bool
}

// Begin validates the names and makes the hidden folder a dump writes into.
// It refuses an existing checkpoint unless force is set; the old one is then
// replaced only when the new one commits.
func (s Store) Begin(container, name string, force bool) (*Pending, error) {
	if err := ValidName("container name", container); err != nil {
		return nil, err
	}
	if err := ValidName("checkpoint name", name); err != nil {
		return nil, err
	}
	parent := filepath.Join(s.Dir, container)
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("make checkpoint folder %s: %w", parent, err)
	}
	final := filepath.Join(parent, name)
	if _, err := os.Lstat(final); err == nil && !force {
		return nil, fmt.Errorf("%w: %s (use --force to replace it, or another --name)", ErrExists, final)
	}
	tmp, err := os.MkdirTemp(parent, "."+name+".partial-")
	if err != nil {
		return nil, fmt.Errorf("make temporary folder in %s: %w", parent, err)
	}
	if err := os.Chmod(tmp, 0o700); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("chmod %s: %w", tmp, err)
	}
	if err := writeOwner(tmp); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Pending{Dir: tmp, final: final, force: force}, nil
}

// Final is where the checkpoint will be once committed.
func (p *Pending) Final() string { return p.final }

// Commit makes every file private (the images hold the container's memory)
// and renames the folder into place. With force, an older checkpoint of the
// same name is moved aside first and removed only after the rename; it
// must not be in use by a restore (ErrBusy).
func (p *Pending) Commit() error {
	if err := os.Remove(filepath.Join(p.Dir, OwnerFile)); err != nil {
		return fmt.Errorf("commit checkpoint: %w", err)
	}
	if err := privatise(p.Dir); err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(p.final, MetaFile)); err == nil && p.force {
		unlock, err := writeLock(p.final)
		if err != nil {
			return fmt.Errorf("commit checkpoint: replace %s: %w", p.final, err)
		}
		defer unlock()
	}
	if err := Swap(p.Dir, p.final, p.force); err != nil {
		return fmt.Errorf("commit checkpoint: %w", err)
	}
	return nil
}

// Abort removes the partial folder. If it holds a CRIU log, the log is kept
// beside the checkpoints as .<name>.failed-<log> so the failure can be read,
// and its path is returned.
func (p *Pending) Abort() (keptLog string) {
	for _, l := range []string{"dump.log", "pre-dump.log"} {
		src := filepath.Join(p.Dir, l)
		if _, err := os.Stat(src); err != nil {
			continue
		}
		dst := filepath.Join(filepath.Dir(p.final), "."+filepath.Base(p.final)+".failed-"+l)
		if os.Rename(src, dst) == nil {
			_ = os.Chmod(dst, 0o600) // it quotes the container's state
			keptLog = dst
		}
	}
	os.RemoveAll(p.Dir)
	return keptLog
}

// privatise makes dir 0700 and every file below it 0600.
func privatise(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o600)
		if d.IsDir() {
			mode = 0o700
		} else if !d.Type().IsRegular() {
			return nil
		}
		if err := os.Chmod(path, mode); err != nil {
			return fmt.Errorf("chmod %s: %w", path, err)
		}
		return nil
	})
}
