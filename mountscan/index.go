package mountscan

import (
	"path"
	"strings"

	"github.com/moby/sys/mountinfo"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// specIndex holds the facts of config.json the rules look up by mountpoint.
type specIndex struct {
	binds     map[string]specs.Mount // bind mounts by cleaned destination
	devices   map[string]bool        // linux.devices paths
	masked    map[string]bool        // linux.maskedPaths
	cgroupNS  bool                   // the container has its own cgroup namespace
	allMounts []*mountinfo.Info      // every mount of the container, for "bound from inside"
}

func newSpecIndex(infos []*mountinfo.Info, spec *specs.Spec) *specIndex {
	ix := &specIndex{
		binds:     map[string]specs.Mount{},
		devices:   map[string]bool{},
		masked:    map[string]bool{},
		allMounts: infos,
	}
	for _, m := range spec.Mounts {
		if isBind(m) {
			ix.binds[path.Clean(m.Destination)] = m
		}
	}
	if l := spec.Linux; l != nil {
		for _, d := range l.Devices {
			ix.devices[path.Clean(d.Path)] = true
		}
		for _, p := range l.MaskedPaths {
			ix.masked[path.Clean(p)] = true
		}
		for _, ns := range l.Namespaces {
			if ns.Type == specs.CgroupNamespace {
				ix.cgroupNS = true
			}
		}
	}
	return ix
}

// isBind reports whether a config.json mount is a bind mount: runc treats a
// mount as one when its type is "bind" or its options ask for bind or rbind.
func isBind(m specs.Mount) bool {
	if m.Type == "bind" {
		return true
	}
	for _, o := range m.Options {
		if o == "bind" || o == "rbind" {
			return true
		}
	}
	return false
}

// boundFromInside reports whether m shows a subtree of a filesystem that
// another mount of the same container shows from higher up: same
// major:minor, and the other mount's root is a proper path prefix of m's.
// CRIU can then recreate m as a bind of that other mount.
func (ix *specIndex) boundFromInside(m *mountinfo.Info) bool {
	for _, o := range ix.allMounts {
		if o == nil || o == m || o.Major != m.Major || o.Minor != m.Minor {
			continue
		}
		if isProperPathPrefix(o.Root, m.Root) {
			return true
		}
	}
	return false
}

// isProperPathPrefix reports whether dir is a strict ancestor of p, compared
// by path components ("/a" is an ancestor of "/a/b", not of "/ab").
func isProperPathPrefix(dir, p string) bool {
	dir, p = path.Clean(dir), path.Clean(p)
	if dir == p {
		return false
	}
	if dir == "/" {
		return strings.HasPrefix(p, "/")
	}
	return strings.HasPrefix(p, dir+"/")
}
