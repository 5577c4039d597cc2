package store

import (
	"fmt"
	"os"
)

// Remove deletes the checkpoint name of container. It refuses names that
// are not one plain path element and folders that are not checkpoints (no
// container.json), so a typo cannot delete something else under the store.
// The folder is renamed to a hidden one first, so an interrupted removal
// never leaves a half checkpoint that List would show. It refuses, with
// ErrBusy, a checkpoint that a restore is reading.
func (s Store) Remove(container, name string) error {
	if err := ValidName("container name", container); err != nil {
		return err
	}
	if err := ValidName("checkpoint name", name); err != nil {
		return err
	}
	dir := s.Path(container, name)
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%w: %s of %s (looked in %s; `ckpt list %s` shows what there is)", ErrNotFound, name, container, dir, container)
	}
	if _, err := os.Stat(dir + "/" + MetaFile); err != nil {
		return fmt.Errorf("%w: %s has no %s, so ckpt did not make it; remove it by hand if you mean to", ErrNotFound, dir, MetaFile)
	}
	unlock, err := writeLock(dir)
	if err != nil {
		return fmt.Errorf("remove checkpoint %s of %s: %w", name, container, err)
	}
	defer unlock()
	tmp, err := os.MkdirTemp(s.Dir+"/"+container, "."+name+".removing-")
	if err != nil {
		return fmt.Errorf("remove checkpoint %s of %s: %w", name, container, err)
	}
	if err := os.Rename(dir, tmp+"/c"); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("remove checkpoint %s of %s: %w", name, container, err)
	}
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("remove checkpoint %s of %s: %w (the rest is in %s)", name, container, err, tmp)
	}
	os.Remove(s.Dir + "/" + container) // only when it is now empty
	return nil
}
