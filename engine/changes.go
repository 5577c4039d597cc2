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

// CarryPlan picks what to copy so that a new container's root filesystem
// has a source container's writable layer: each added path whose parent
// was not added too (it is copied with everything under it) and each
// modified path (a caller skips the modified folders, which the new
// container has already). Paths at or under skip (volumes, binds, tmpfs,
// the engine's own /etc files) and under /proc, /sys and /dev are left
// out: they are not the layer's.
func CarryPlan(changes []Change, skip []string) (added, modified, deleted []string) {
	isAdded := map[string]bool{}
	for _, c := range changes {
		if p := path.Clean("/" + c.Path); c.Kind == Added && p != "/" {
			isAdded[p] = true
		}
	}
	skip = append([]string{"/proc", "/sys", "/dev", "/etc/hosts", "/etc/hostname", "/etc/resolv.conf"}, skip...)
	for _, c := range changes {
		p := path.Clean("/" + c.Path)
		if p == "/" || under(p, skip) {
			continue
		}
		switch c.Kind {
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
