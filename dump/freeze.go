package dump

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

// The states of a cgroup v1 freezer (freezer.state).
const (
	Thawed   = "THAWED"
	Freezing = "FREEZING"
	Frozen   = "FROZEN"
)

// ParseFreezerState reads a freezer state file: freezer.state (cgroup
// v1: THAWED, FREEZING, FROZEN) or cgroup.freeze (v2: "0" is THAWED, "1"
// FROZEN).
func ParseFreezerState(file, content string) (string, error) {
	s := strings.TrimSpace(content)
	switch {
	case file == "cgroup.freeze" && s == "0":
		return Thawed, nil
	case file == "cgroup.freeze" && s == "1":
		return Frozen, nil
	case file == "freezer.state" && (s == Thawed || s == Freezing || s == Frozen):
		return s, nil
	}
	return "", fmt.Errorf("%s holds %q: want THAWED, FREEZING or FROZEN (v1) or 0 or 1 (v2)", file, s)
}

// preFreezes decides whether ckpt freezes the container's freezer cgroup
// itself before it starts criu: only on cgroup v1 (freezer.state), whose
// freeze CRIU waits for in 100 ms steps (criu/seize.c), most of a small
// dump's frozen time, while a cgroup CRIU finds FROZEN it seizes at once
// and leaves FROZEN after the dump; only when the cgroup is THAWED, so
// that a freeze by anyone else (the engine's pause) is left to its owner;
// and not for a group dump, whose members the engine paused.
func preFreezes(dir, file, state string, paused bool) bool {
	return dir != "" && file == "freezer.state" && state == Thawed && !paused
}

// freezeScriptName is the file, in the pending folder, of the action
// script that freezes the container for CRIU; it is removed once criu
// has exited, so that no checkpoint holds it.
const freezeScriptName = ".ckpt-freeze"

// freezerEnv names the freezer.state file the action script freezes; it
// reaches the script through criu's environment, so that the script is
// the same for every container and the argv a person reruns by hand
// without it leaves the freezing to CRIU.
const freezerEnv = "CKPT_FREEZER"

// freezeScript is CRIU's action script for a dump that ckpt holds: at
// "pre-dump", which CRIU runs once it has started (its kernel probes take
// 30-70 ms here) and before it seizes the tree, it freezes the cgroup and
// waits until the kernel says FROZEN, so that CRIU seizes at once without
// the container being held while CRIU starts. A freeze that has not
// completed after 20,000 reads of the state (about half a second here) is undone,
// and CRIU freezes as it would have. Every other stage, and a run without
// the variable, does nothing. It always exits 0: a failure here must not
// fail the dump.
const freezeScript = `#!/bin/sh
# ckpt: CRIU's action script; freezes the container's cgroup at pre-dump.
[ "$CRTOOLS_SCRIPT_ACTION" = pre-dump ] && [ -n "$` + freezerEnv + `" ] || exit 0
f=$` + freezerEnv + `
echo FROZEN > "$f" || exit 0
n=0
while read -r s < "$f"; do
	[ "$s" = FROZEN ] && exit 0
	n=$((n + 1))
	[ "$n" -lt 20000 ] || break
done
echo THAWED > "$f"
exit 0
`

// healThaws decides whether a sweep thaws a cgroup that a killed ckpt
// recorded as frozen: only while it is still frozen (or freezing) and the
// engine does not report the container paused (a docker pause since is
// the user's). A container the engine no longer knows has nobody else to
// keep it frozen.
func healThaws(state string, engineErr error, paused bool) (bool, error) {
	if state != Frozen && state != Freezing {
		return false, nil
	}
	switch {
	case errors.Is(engineErr, engine.ErrNotFound):
		return true, nil
	case engineErr != nil:
		return false, engineErr
	}
	return !paused, nil
}

// cgroupGone reports whether err says the cgroup is gone: its folder
// removed (ENOENT), or removed while its file was being read or written
// (ENODEV), as when a stop-mode dump ended the container and the engine
// removed its cgroup. A cgroup that is gone has nothing frozen.
func cgroupGone(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENODEV)
}

// freezerFile finds the freezer state file of a cgroup folder: v1's
// freezer.state, else v2's cgroup.freeze; fs.ErrNotExist when the folder
// has neither (it is gone, or not a freezer cgroup).
func freezerFile(dir string) (string, error) {
	for _, f := range []string{"freezer.state", "cgroup.freeze"} {
		p := filepath.Join(dir, f)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("%s has no freezer.state or cgroup.freeze: %w", dir, fs.ErrNotExist)
}

// freezerState reads the state of the freezer file at path.
func freezerState(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	s, err := ParseFreezerState(filepath.Base(path), string(b))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	return s, nil
}

// setFreezer writes a state (Thawed or Frozen) into the freezer file at
// path, in the form its cgroup version takes.
func setFreezer(path, state string) error {
	v := state
	if filepath.Base(path) == "cgroup.freeze" {
		v = map[string]string{Thawed: "0", Frozen: "1"}[state]
	}
	if err := os.WriteFile(path, []byte(v), 0o644); err != nil {
		return fmt.Errorf("write %s to %s: %w", state, path, err)
	}
	return nil
}

// Healer is the store's Healer for the sweeps of ckpt commands: it thaws
// the cgroup a killed dump recorded, when healThaws says so, and says so
// on warn. The engine is opened (by open) only when a cgroup is found
// frozen.
func Healer(ctx context.Context, open func() (engine.Engine, error), warn io.Writer) store.Healer {
	return func(f store.Freeze) error {
		path, err := freezerFile(f.Cgroup)
		if cgroupGone(err) {
			return nil // the cgroup went with its container
		}
		if err != nil {
			return err
		}
		state, err := freezerState(path)
		if cgroupGone(err) {
			return nil
		}
		if err != nil {
			return err
		}
		paused := false
		var askErr error
		if state == Frozen || state == Freezing {
			if eng, err := open(); err != nil {
				askErr = err
			} else {
				c, err := eng.Container(ctx, f.Container)
				askErr = err
				paused = err == nil && c.State.Paused
			}
		}
		thaw, err := healThaws(state, askErr, paused)
		if err != nil {
			return fmt.Errorf("%s is %s; ask the engine whether container %s is paused: %w", path, state, f.Container, err)
		}
		if !thaw {
			return nil
		}
		if err := setFreezer(path, Thawed); cgroupGone(err) {
			return nil
		} else if err != nil {
			return err
		}
		fmt.Fprintf(warnTo(warn), "ckpt: thawed %s, which a ckpt dump killed mid-way had left %s\n", f.Cgroup, state)
		return nil
	}
}
