package restore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// WithLines runs fn while runc.conf holds lines (CRIU options, one a line)
// in ckpt's marked block after the administrator's content, and puts the
// file back as it was afterwards (removing it if it was not there),
// holding the lock so that two users do not interleave. The bench uses it
// to give Docker's own checkpoints a CRIU work folder to read statistics
// from.
func (rc RuncConf) WithLines(lines []string, fn func() error) (err error) {
	runcConf, runcConfLock := rc.paths()
	lock, err := os.OpenFile(runcConfLock, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open lock %s: %w", runcConfLock, err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		return fmt.Errorf("lock %s: %w", runcConfLock, err)
	}
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)

	b, rerr := os.ReadFile(runcConf)
	existed := rerr == nil
	if rerr != nil && !errors.Is(rerr, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", runcConf, rerr)
	}
	original := stripRestoreConf(string(b))
	if err := os.MkdirAll(filepath.Dir(runcConf), 0o755); err != nil {
		return fmt.Errorf("make %s: %w", filepath.Dir(runcConf), err)
	}
	if err := os.WriteFile(runcConf, []byte(withConf(original, lines)), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", runcConf, err)
	}
	defer func() {
		var perr error
		if existed && original != "" {
			perr = os.WriteFile(runcConf, []byte(original), 0o644)
		} else {
			perr = os.Remove(runcConf)
		}
		if perr != nil && err == nil {
			err = fmt.Errorf("put %s back: %w", runcConf, perr)
		}
	}()
	return fn()
}
