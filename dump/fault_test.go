package dump

import (
	"errors"
	"strings"
	"testing"

	"github.com/ckpt/ckpt/criucmd"
)

func TestRequireVersion(t *testing.T) {
	for _, tc := range []struct {
		v   criucmd.Version
		old bool
	}{
		{criucmd.Version{Major: 3, Minor: 17, Sublevel: 1}, true},
		{criucmd.Version{Major: 4, Minor: 1, Sublevel: 9}, true},
		{criucmd.Version{Major: 4, Minor: 2}, false},
		{criucmd.Version{Major: 4, Minor: 2, Sublevel: 1}, false},
		{criucmd.Version{Major: 5}, false},
	} {
		err := requireVersion("/x/criu", tc.v)
		if errors.Is(err, ErrOldCriu) != tc.old {
			t.Errorf("requireVersion(%s) = %v, want old %v", tc.v, err, tc.old)
		}
		if tc.old && !strings.Contains(err.Error(), "/x/criu is criu "+tc.v.String()+": ckpt needs CRIU 4.2 or newer") {
			t.Errorf("message %q", err)
		}
	}
}

func TestFailedStopSays(t *testing.T) {
	base := errors.New("criu dump failed")
	for _, tc := range []struct {
		fs   FailedStop
		want string
	}{
		{FailedStop{Container: "web", Stopped: true, Err: base}, "CRIU had already stopped web, and no valid checkpoint of it was kept"},
		{FailedStop{Container: "web", Err: base}, "web was not stopped: it still runs, and no checkpoint was kept"},
		{FailedStop{Container: "web", Unknown: "engine down", Err: base}, "whether web still runs is unknown (engine down)"},
	} {
		if got := tc.fs.Error(); !strings.Contains(got, tc.want) || !errors.Is(&tc.fs, base) {
			t.Errorf("%+v says %q, want %q", tc.fs, got, tc.want)
		}
	}
}

func TestNoRoom(t *testing.T) {
	if got := noRoom("/s", 4096, 8<<20); !strings.Contains(got, "No space left on device: the file system of /s is full (4.0 KiB free of 8.0 MiB)") {
		t.Errorf("full store: %q", got)
	}
	for _, c := range []struct{ free, size int64 }{{2 << 20, 8 << 20}, {0, 0}} {
		if got := noRoom("/s", c.free, c.size); got != "" {
			t.Errorf("noRoom(%d, %d) = %q, want nothing", c.free, c.size, got)
		}
	}
}
