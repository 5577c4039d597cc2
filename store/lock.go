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
