package dump

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/criucmd"
)

// TestHoldAround runs hold.around on a folder standing in for a cgroup v1
// freezer (a plain file reads back what was written): criu runs with it
// FROZEN and it is THAWED after, failed or not; a cgroup frozen by
// someone else, or the engine's (paused), is left alone.
func TestHoldAround(t *testing.T) {
	for _, c := range []struct {
		name, before string
		paused       bool
		runErr       error
		during       string
		after        string
	}{
		{"thawed", Thawed, false, nil, Frozen, Thawed},
		{"criu fails", Thawed, false, errors.New("criu dump failed"), Frozen, Thawed},
		{"frozen by another", Frozen, false, nil, Frozen, Frozen},
		{"paused by the engine", Thawed, true, nil, Thawed, Thawed},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			f := filepath.Join(dir, "freezer.state")
			if err := os.WriteFile(f, []byte(c.before+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			state := func() string { b, _ := os.ReadFile(f); return strings.TrimSpace(string(b)) }
			var during string
			pre := criucmd.Options{Action: criucmd.PreDump, ImagesDir: dir}
			err := hold{dir: dir, paused: c.paused}.around(pre, func(criucmd.Options) error { during = state(); return c.runErr })
			if !errors.Is(err, c.runErr) || (c.runErr == nil && err != nil) {
				t.Errorf("around = %v, want %v", err, c.runErr)
			}
			if during != c.during || state() != c.after {
				t.Errorf("freezer.state %s during criu, %s after; want %s, %s", during, state(), c.during, c.after)
			}
		})
	}
	// The cgroup removed while criu ran (a stop-mode dump ended the
	// container): nothing to thaw, no error.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "freezer.state"), []byte("THAWED\n"), 0o644)
	if err := (hold{dir: dir}).around(criucmd.Options{Action: criucmd.PreDump}, func(criucmd.Options) error { return os.RemoveAll(dir) }); err != nil {
		t.Errorf("cgroup gone after criu: %v", err)
	}
	ran := false
	if err := (hold{}).around(criucmd.Options{Action: criucmd.Dump}, func(criucmd.Options) error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("no cgroup: ran %v, %v", ran, err)
	}
}

// TestHoldScript runs a dump's hold with its action script run the way
// CRIU runs it (exec'd, the stage in CRTOOLS_SCRIPT_ACTION, criu's
// environment): the cgroup stays THAWED while criu starts, the script
// freezes it at pre-dump and does nothing at the other stages, ckpt thaws
// it after criu, and no script is left in the images folder.
func TestHoldScript(t *testing.T) {
	cg, imgs := t.TempDir(), t.TempDir()
	f := filepath.Join(cg, "freezer.state")
	if err := os.WriteFile(f, []byte("THAWED\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	state := func() string { b, _ := os.ReadFile(f); return strings.TrimSpace(string(b)) }
	stage := func(o criucmd.Options, action string) string {
		cmd := exec.Command(o.ActionScript)
		cmd.Env = append(append(os.Environ(), o.Env...), "CRTOOLS_SCRIPT_ACTION="+action)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("script at %s: %v: %s", action, err, out)
		}
		return state()
	}
	var atStart, afterNetLock, afterPreDump string
	o := criucmd.Options{Action: criucmd.Dump, ImagesDir: imgs}
	err := hold{dir: cg}.around(o, func(o criucmd.Options) error {
		if o.ActionScript == "" {
			t.Fatal("a dump ran without the freeze script")
		}
		atStart = state()
		afterNetLock = stage(o, "network-lock")
		afterPreDump = stage(o, "pre-dump")
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if atStart != Thawed || afterNetLock != Thawed || afterPreDump != Frozen || state() != Thawed {
		t.Errorf("freezer.state at start %s, after network-lock %s, after pre-dump %s, after criu %s; want THAWED, THAWED, FROZEN, THAWED",
			atStart, afterNetLock, afterPreDump, state())
	}
	if _, err := os.Stat(filepath.Join(imgs, freezeScriptName)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("freeze script left in the images folder: %v", err)
	}
}
