package dump

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"
)

// freezeBound is how long ckpt waits for its own freeze of a cgroup
// before it thaws it and leaves the freezing to CRIU.
const freezeBound = time.Second

// hold is the freezer cgroup of a dump and whether the engine paused it
// (a group dump, whose freezer is the engine's).
type hold struct {
	dir    string
	paused bool
}

// around runs criu (run) with the container's cgroup frozen by ckpt first
// when preFreezes says so, so that CRIU finds it FROZEN and seizes the
// tasks at once, and thaws it after criu exits, whatever the outcome
// (CRIU puts back the FROZEN it found; in stop mode the tasks are gone).
// A freeze that does not complete within freezeBound is undone and CRIU
// freezes as it would have.
func (h hold) around(run func() error) error {
	if h.dir == "" || h.paused {
		return run()
	}
	path, err := freezerFile(h.dir)
	if err != nil {
		return run()
	}
	state, err := freezerState(path)
	if err != nil || !preFreezes(h.dir, filepath.Base(path), state, h.paused) {
		return run()
	}
	if err := freezeWait(path, freezeBound); err != nil {
		if terr := setFreezer(path, Thawed); terr != nil {
			return fmt.Errorf("%w; then %w", err, terr)
		}
		return run()
	}
	err = run()
	// A stop-mode dump ends the container, and the engine removes its
	// cgroup, maybe while it is written: nothing is left to thaw.
	if terr := setFreezer(path, Thawed); terr != nil && !cgroupGone(terr) {
		return errors.Join(err, fmt.Errorf("thaw the container after criu: %w (write THAWED to it by hand)", terr))
	}
	return err
}

// freezeWait writes FROZEN into the freezer.state at path and polls it,
// every 100 µs at first and then every millisecond, until the kernel says
// FROZEN or bound passes.
func freezeWait(path string, bound time.Duration) error {
	if err := setFreezer(path, Frozen); err != nil {
		return err
	}
	deadline := time.Now().Add(bound)
	step := 100 * time.Microsecond
	for {
		state, err := freezerState(path)
		if err != nil {
			return err
		}
		if state == Frozen {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("freeze %s: still %s after %s", path, state, bound)
		}
		time.Sleep(step)
		if step < time.Millisecond {
			step *= 2
		}
	}
}
