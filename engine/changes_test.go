package engine

import (
	"reflect"
	"testing"
)

func TestCarryPlan(t *testing.T) {
	changes := []Change{
		{Kind: Modified, Path: "/tmp"},
		{Kind: Added, Path: "/tmp/held.log"},
		{Kind: Added, Path: "/srv"},
		{Kind: Added, Path: "/srv/a"},
		{Kind: Added, Path: "/srv/a/b"},
		{Kind: Modified, Path: "/etc"},
		{Kind: Modified, Path: "/etc/passwd"},
		{Kind: Modified, Path: "/etc/hosts"},
		{Kind: Added, Path: "/data"},
		{Kind: Added, Path: "/data/x"},
		{Kind: Added, Path: "/dev/console"},
		{Kind: Deleted, Path: "/var/cache/old"},
		{Kind: Added, Path: "/"},
	}
	added, modified, deleted := CarryPlan(changes, []string{"/data/"})
	if want := []string{"/srv", "/tmp/held.log"}; !reflect.DeepEqual(added, want) {
		t.Errorf("added = %q, want %q", added, want)
	}
	if want := []string{"/etc", "/etc/passwd", "/tmp"}; !reflect.DeepEqual(modified, want) {
		t.Errorf("modified = %q, want %q", modified, want)
	}
	if want := []string{"/var/cache/old"}; !reflect.DeepEqual(deleted, want) {
		t.Errorf("deleted = %q, want %q", deleted, want)
	}
	if a, m, d := CarryPlan(nil, nil); a != nil || m != nil || d != nil {
		t.Errorf("no changes: %q %q %q", a, m, d)
	}
}

// A bind's mount point, a volume's contents, the engine's /etc files and
// the root are not the writable layer's; the rest is, with clean paths.
func TestLayerChanges(t *testing.T) {
	in := []Change{
		{Path: "/", Kind: Modified},
		{Path: "/app.py", Kind: Added},
		{Path: "/data/log", Kind: Added},
		{Path: "/etc/hosts", Kind: Modified},
		{Path: "/etc/ckpt-new", Kind: Added},
		{Path: "etc/passwd", Kind: Deleted},
		{Path: "/proc/x", Kind: Added},
		{Path: "/database", Kind: Added},
	}
	got := LayerChanges(in, []string{"/app.py", "/data"})
	want := []Change{{Path: "/etc/ckpt-new", Kind: Added}, {Path: "/etc/passwd", Kind: Deleted}, {Path: "/database", Kind: Added}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
