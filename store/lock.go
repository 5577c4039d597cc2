package store

import (
	"errors"
	"fmt"
	"path/filepath"
)

// LockFile, in a checkpoint's folder, is locked shared by every restore
// that reads the checkpoint and exclusively by whatever removes or replaces
// it. The lock is flock(2)'s, so it goes with the process that holds it: a
// crashed ckpt leaves nothing stuck.
const LockFile = ".lock"

// ErrBusy is returned for a checkpoint that a restore is reading now.
var ErrBusy = errors.New("checkpoint in use")

// ReadLock takes the shared lock of checkpoint folder dir, waiting while
// someone removes or replaces it, and checks that dir is still a complete
// checkpoint once it holds it. Unlock with the returned function.
func ReadLock(dir string) (unlock func(), err error) {
	unlock, err = lock(filepath.Join(dir, LockFile), false)
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s for reading: %w", dir, err)
	}
	if err := Complete(dir); err != nil {
		unlock()
		return nil, fmt.Errorf("%w (removed or replaced meanwhile?)", err)
	}
	return unlock, nil
}

// writeLock takes the exclusive lock of checkpoint folder dir without
// waiting: ErrBusy while a restore reads it.
func writeLock(dir string) (unlock func(), err error) {
	unlock, err = lock(filepath.Join(dir, LockFile), true)
	if errors.Is(err, ErrBusy) {
		return nil, fmt.Errorf("%w: a restore is reading %s now; try again when it is done", ErrBusy, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s: %w", dir, err)
	}
	return unlock, nil
}
