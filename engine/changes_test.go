package engine

import (
	"reflect"
	"testing"
)

func TestCarryPlan(t *testing.T) {
	changes := []Change{
		{ChangeModified, "/tmp"},
		{ChangeAdded, "/tmp/held.log"},
		{ChangeAdded, "/srv"},
		{ChangeAdded, "/srv/a"},
		{ChangeAdded, "/srv/a/b"},
		{ChangeModified, "/etc"},
		{ChangeModified, "/etc/passwd"},
		{ChangeModified, "/etc/hosts"},
		{ChangeAdded, "/data"},
		{ChangeAdded, "/data/x"},
		{ChangeAdded, "/dev/console"},
		{ChangeDeleted, "/var/cache/old"},
		{ChangeAdded, "/"},
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
