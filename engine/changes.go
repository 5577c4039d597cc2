package engine

import (
	"path"
	"sort"
	"strings"
)

// Carried is what CopyChanges copied from one container into another.
type Carried struct {
	Paths   []string // copied, each with what lies under it
	Deleted []string // deleted in the source; the copy still has them
}

// LayerChanges keeps of a container's changes those of its writable layer:
// paths at or under skip (its volumes, binds and tmpfs mount points) and
// under /proc, /sys and /dev, and the engine's own /etc files, are left
// out, as is the root itself. A bind's mount point appears as a change
// (the engine made the file or folder to mount on), but the new container
// gets it from its own mount.
func LayerChanges(changes []Change, skip []string) []Change {
	skip = append([]string{"/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"}, skip...)
	var out []Change
	for _, c := range changes {
		p := path.Clean("/" + c.Path)
		if p != "/" && !under(p, skip) {
			out = append(out, Change{Path: p, Kind: c.Kind})
		}
	}
	return out
}

// CarryPlan picks what to copy so that a new container's root filesystem
// has a source container's writable layer (LayerChanges): each added path
// whose parent was not added too (it is copied with everything under it)
// and each modified path (a caller skips the modified folders, which the
// new container has already).
func CarryPlan(changes []Change, skip []string) (added, modified, deleted []string) {
	changes = LayerChanges(changes, skip)
	isAdded := map[string]bool{}
	for _, c := range changes {
		if c.Kind == Added {
			isAdded[c.Path] = true
		}
	}
	for _, c := range changes {
		switch p := c.Path; c.Kind {
		case Added:
			if !isAdded[path.Dir(p)] {
				added = append(added, p)
			}
		case Modified:
			modified = append(modified, p)
		case Deleted:
			deleted = append(deleted, p)
		}
	}
	sort.Strings(added)
	sort.Strings(modified)
	sort.Strings(deleted)
	return added, modified, deleted
}

// under reports whether p is one of roots or inside one.
func under(p string, roots []string) bool {
	for _, r := range roots {
		r = path.Clean(r)
		if p == r || strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}
