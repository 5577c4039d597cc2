package dump

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/ckpt/ckpt/criucmd"
	"golang.org/x/sys/unix"
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

// around runs criu with o, with the container's cgroup frozen by ckpt
// when preFreezes says so, so that CRIU finds it FROZEN and seizes the
// tasks at once, and thaws it after criu exits, whatever the outcome
// (CRIU puts back the FROZEN it found; in stop mode the tasks are gone).
// A dump freezes from CRIU's pre-dump action script, once CRIU has
// started (scriptHold); a pre-dump, which runs no script, or a pending
// folder a script cannot be run from, is frozen before criu starts. A
// freeze that does not complete in time is undone and CRIU freezes as it
// would have.
func (h hold) around(o criucmd.Options, run func(criucmd.Options) error) error {
	if h.dir == "" || h.paused {
		return run(o)
	}
	path, err := freezerFile(h.dir)
	if err != nil {
		return run(o)
	}
	state, err := freezerState(path)
	if err != nil || !preFreezes(h.dir, filepath.Base(path), state, h.paused) {
		return run(o)
	}
	if script, ok := scriptHold(o); ok {
		defer os.Remove(script)
		o.ActionScript = script
		o.Env = append(slices.Clip(o.Env), freezerEnv+"="+path)
	} else if err := freezeWait(path, freezeBound); err != nil {
		if terr := setFreezer(path, Thawed); terr != nil {
			return fmt.Errorf("%w; then %w", err, terr)
		}
		return run(o)
	}
	err = run(o)
	// A stop-mode dump ends the container, and the engine removes its
	// cgroup, maybe while it is written: nothing is left to thaw.
	if terr := setFreezer(path, Thawed); terr != nil && !cgroupGone(terr) {
		return errors.Join(err, fmt.Errorf("thaw the container after criu: %w (write THAWED to it by hand)", terr))
	}
	return err
}

// scriptHold writes the freeze script into the dump's images folder and
// returns its path, when the dump can run it: a dump (CRIU runs no
// pre-dump script for a pre-dump) with no script of its own, into a
// folder on a file system that allows exec.
func scriptHold(o criucmd.Options) (string, bool) {
	if o.Action != criucmd.Dump || o.ActionScript != "" {
		return "", false
	}
	var st unix.Statfs_t
	if err := unix.Statfs(o.ImagesDir, &st); err != nil || st.Flags&unix.ST_NOEXEC != 0 {
		return "", false
	}
	p := filepath.Join(o.ImagesDir, freezeScriptName)
	if err := os.WriteFile(p, []byte(freezeScript), 0o700); err != nil {
		return "", false
	}
	return p, true
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
