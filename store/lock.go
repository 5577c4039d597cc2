package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrBusy is returned when another ckpt holds the lock a command needs.
var ErrBusy = errors.New("in progress")

// DumpLock is the file whose lock a dump of container holds: a hidden file
// at the top of the store (List reads folders only).
func (s Store) DumpLock(container string) string {
	return filepath.Join(s.Dir, ".dump-"+container+".lock")
}

// LockDump takes the lock of dumps of container, or fails at once with
// ErrBusy when another dump holds it. It is a flock: the kernel drops it
// when its holder exits, however it exits, so a killed ckpt cannot leave it
// stuck. unlock releases it.
func (s Store) LockDump(container string) (unlock func(), err error) {
	if err := ValidName("container name", container); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("make checkpoint folder %s: %w", s.Dir, err)
	}
	p := s.DumpLock(container)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", p, err)
	}
	if err := tryLock(f); err != nil {
		f.Close()
		if errors.Is(err, ErrBusy) {
			return nil, fmt.Errorf("a dump of %s is %w (another ckpt holds %s); wait for it to end", container, ErrBusy, p)
		}
		return nil, fmt.Errorf("lock %s: %w", p, err)
	}
	return func() { f.Close() }, nil
}

// LockFile, in a checkpoint's folder, is locked shared by every restore
// that reads the checkpoint and exclusively by whatever removes or replaces
// it. The lock is flock(2)'s, so it goes with the process that holds it: a
// crashed ckpt leaves nothing stuck.
const LockFile = ".lock"

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
		return nil, fmt.Errorf("checkpoint in use: a restore is reading %s now; try again when it is done (%w)", dir, ErrBusy)
	}
	if err != nil {
		return nil, fmt.Errorf("lock checkpoint %s: %w", dir, err)
	}
	return unlock, nil
}
