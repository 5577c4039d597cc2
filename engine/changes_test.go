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
