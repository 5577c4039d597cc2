package dump

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
			err := hold{dir: dir, paused: c.paused}.around(func() error { during = state(); return c.runErr })
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
	if err := (hold{dir: dir}).around(func() error { return os.RemoveAll(dir) }); err != nil {
		t.Errorf("cgroup gone after criu: %v", err)
	}
	ran := false
	if err := (hold{}).around(func() error { ran = true; return nil }); err != nil || !ran {
		t.Errorf("no cgroup: ran %v, %v", ran, err)
	}
}
