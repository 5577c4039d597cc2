package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// FreezeFile, inside a partial folder, says that its ckpt froze (or let
// CRIU freeze) a freezer cgroup for the dump: written before the freeze
// and removed after the thaw, so that a ckpt killed in between leaves a
// note that the next sweep acts on (Sweep's Healer) instead of a container
// frozen for good.
const FreezeFile = ".frozen"

// Freeze is what FreezeFile records: the freezer cgroup folder and the
// engine's ID of the container in it.
type Freeze struct {
	Cgroup    string `json:"cgroup"`
	Container string `json:"container"`
}

// Healer puts right what a killed dump's Freeze left: it thaws the cgroup
// if need be. An error keeps the partial folder (and its record) for a
// later sweep.
type Healer func(Freeze) error

// RecordFreeze notes in the partial folder that its cgroup is about to be
// frozen.
func (p *Pending) RecordFreeze(f Freeze) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("record the freeze of %s: %w", f.Cgroup, err)
	}
	path := filepath.Join(p.Dir, FreezeFile)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("record the freeze of %s: %w", f.Cgroup, err)
	}
	return nil
}

// ClearFreeze removes the note of RecordFreeze once the cgroup is thawed.
func (p *Pending) ClearFreeze() error {
	path := filepath.Join(p.Dir, FreezeFile)
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// readFreeze is the freeze recorded in a partial folder; fs.ErrNotExist
// when there is none.
func readFreeze(dir string) (Freeze, error) {
	var f Freeze
	b, err := os.ReadFile(filepath.Join(dir, FreezeFile))
	if err != nil {
		return f, err
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, fmt.Errorf("read %s: %w", filepath.Join(dir, FreezeFile), err)
	}
	if f.Cgroup == "" {
		return f, fmt.Errorf("read %s: no cgroup named", filepath.Join(dir, FreezeFile))
	}
	return f, nil
}
