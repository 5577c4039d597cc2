package dump

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/store"
)

func TestCgroupGone(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&os.PathError{Op: "open", Path: "/cg/freezer.state", Err: syscall.ENOENT}, true},
		{&os.PathError{Op: "write", Path: "/cg/freezer.state", Err: syscall.ENODEV}, true},
		{&os.PathError{Op: "write", Path: "/cg/freezer.state", Err: syscall.EACCES}, false},
		{nil, false},
	} {
		if got := cgroupGone(c.err); got != c.want {
			t.Errorf("cgroupGone(%v) = %v, want %v", c.err, got, c.want)
		}
	}
}

func TestParseFreezerState(t *testing.T) {
	for _, c := range []struct{ file, in, want string }{
		{"freezer.state", "THAWED\n", Thawed},
		{"freezer.state", "FREEZING\n", Freezing},
		{"freezer.state", "FROZEN\n", Frozen},
		{"cgroup.freeze", "0\n", Thawed},
		{"cgroup.freeze", "1\n", Frozen},
	} {
		got, err := ParseFreezerState(c.file, c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseFreezerState(%s, %q) = %q, %v; want %q", c.file, c.in, got, err, c.want)
		}
	}
	for _, c := range []struct{ file, in string }{
		{"freezer.state", ""}, {"freezer.state", "1"}, {"cgroup.freeze", "FROZEN"}, {"tasks", "THAWED"},
	} {
		if got, err := ParseFreezerState(c.file, c.in); err == nil {
			t.Errorf("ParseFreezerState(%s, %q) = %q; want an error", c.file, c.in, got)
		}
	}
}

// TestPreFreezes: ckpt freezes only a thawed cgroup v1 freezer of a
// container the engine did not pause.
func TestPreFreezes(t *testing.T) {
	for _, c := range []struct {
		dir, file, state string
		paused, want     bool
	}{
		{"/cg", "freezer.state", Thawed, false, true},
		{"/cg", "freezer.state", Thawed, true, false},  // group dump: the engine's pause
		{"/cg", "freezer.state", Frozen, false, false}, // frozen by someone else
		{"/cg", "freezer.state", Freezing, false, false},
		{"/cg", "cgroup.freeze", Thawed, false, false}, // v2: CRIU's own freeze waits no 100 ms step
		{"", "freezer.state", Thawed, false, false},    // no freezer cgroup
	} {
		if got := preFreezes(c.dir, c.file, c.state, c.paused); got != c.want {
			t.Errorf("preFreezes(%q, %s, %s, paused %v) = %v, want %v", c.dir, c.file, c.state, c.paused, got, c.want)
		}
	}
}

// TestHealThaws: a sweep thaws a recorded cgroup still frozen unless the
// engine says the container is paused, and leaves it when the engine
// cannot say.
func TestHealThaws(t *testing.T) {
	down := errors.New("engine down")
	gone := fmt.Errorf("inspect x: %w", engine.ErrNotFound)
	for _, c := range []struct {
		state   string
		err     error
		paused  bool
		want    bool
		wantErr bool
	}{
		{Frozen, nil, false, true, false},
		{Freezing, nil, false, true, false},
		{Frozen, nil, true, false, false},
		{Frozen, gone, false, true, false},
		{Frozen, down, false, false, true},
		{Thawed, nil, false, false, false},
		{Thawed, down, false, false, false},
	} {
		got, err := healThaws(c.state, c.err, c.paused)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("healThaws(%s, %v, paused %v) = %v, %v; want %v, error %v", c.state, c.err, c.paused, got, err, c.want, c.wantErr)
		}
	}
}

// pausedEngine answers Container with the given pause state or error.
type pausedEngine struct {
	engine.Engine
	paused bool
	err    error
	asked  []string
}

func (e *pausedEngine) Container(_ context.Context, ref string) (*engine.Container, error) {
	e.asked = append(e.asked, ref)
	if e.err != nil {
		return nil, e.err
	}
	return &engine.Container{ID: ref, State: engine.State{Running: true, Paused: e.paused}}, nil
}

// TestHealer runs the healer on a folder standing in for a cgroup.
func TestHealer(t *testing.T) {
	cg := func(state string) string {
		d := t.TempDir()
		if err := os.WriteFile(filepath.Join(d, "freezer.state"), []byte(state+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return d
	}
	read := func(d string) string {
		b, _ := os.ReadFile(filepath.Join(d, "freezer.state"))
		return strings.TrimSpace(string(b))
	}
	for _, c := range []struct {
		name, state string
		eng         *pausedEngine
		want        string
		wantErr     bool
		asks        bool
	}{
		{"frozen, left by ckpt", Frozen, &pausedEngine{}, Thawed, false, true},
		{"frozen, user paused since", Frozen, &pausedEngine{paused: true}, Frozen, false, true},
		{"frozen, engine down", Frozen, &pausedEngine{err: errors.New("down")}, Frozen, true, true},
		{"thawed already", Thawed, &pausedEngine{}, Thawed, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := cg(c.state)
			var warn bytes.Buffer
			open := func() (engine.Engine, error) { return c.eng, nil }
			err := Healer(context.Background(), open, &warn)(store.Freeze{Cgroup: d, Container: "abc"})
			if (err != nil) != c.wantErr {
				t.Fatalf("heal: %v; want error %v", err, c.wantErr)
			}
			if got := read(d); got != c.want {
				t.Errorf("freezer.state %s, want %s", got, c.want)
			}
			if asked := len(c.eng.asked) > 0; asked != c.asks {
				t.Errorf("engine asked: %v, want %v", c.eng.asked, c.asks)
			}
			if thawed := strings.Contains(warn.String(), "thawed "+d); thawed != (c.state != c.want) {
				t.Errorf("warning %q", warn.String())
			}
		})
	}
	// A cgroup gone with its container needs nothing.
	never := func() (engine.Engine, error) { t.Fatal("engine opened for a gone cgroup"); return nil, nil }
	if err := Healer(context.Background(), never, nil)(store.Freeze{Cgroup: filepath.Join(t.TempDir(), "gone")}); err != nil {
		t.Errorf("gone cgroup: %v", err)
	}
}
