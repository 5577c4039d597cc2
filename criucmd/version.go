package criucmd

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is a CRIU release number, e.g. 4.2.1.
type Version struct {
	Major, Minor, Sublevel int
}

// MinVersion is the oldest CRIU ckpt supports: 4.2 is the first release
// that can dump sockets on Linux 6.16 and later (CRIU issue #2705).
var MinVersion = Version{Major: 4, Minor: 2}

// versionRE matches the "Version:" line of `criu --version`. CRIU prints
// "Version: 4.2.1", or "Version: 4.1" for a .0 release, and a development
// build appends a GitID line that is ignored here.
var versionRE = lazyRE(`(?m)^Version:\s*(\d+)\.(\d+)(?:\.(\d+))?`)

// ParseVersion reads the output of `criu --version`.
func ParseVersion(output string) (Version, error) {
	m := versionRE().FindStringSubmatch(output)
	if m == nil {
		return Version{}, fmt.Errorf("%w: no \"Version: X.Y[.Z]\" line in %q", ErrBadVersion, firstLine(output))
	}
	var v Version
	var err error
	for i, dst := range []*int{&v.Major, &v.Minor, &v.Sublevel} {
		s := m[i+1]
		if s == "" {
			continue
		}
		if *dst, err = strconv.Atoi(s); err != nil {
			return Version{}, fmt.Errorf("%w: number %q in %q: %w", ErrBadVersion, s, m[0], err)
		}
	}
	return v, nil
}

// firstLine returns the first line of s, trimmed, for error messages.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Less reports whether v is an older release than o.
func (v Version) Less(o Version) bool {
	if v.Major != o.Major {
		return v.Major < o.Major
	}
	if v.Minor != o.Minor {
		return v.Minor < o.Minor
	}
	return v.Sublevel < o.Sublevel
}

// String returns "MAJOR.MINOR.SUBLEVEL", e.g. "4.2.0".
func (v Version) String() string {
	return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Sublevel)
}
