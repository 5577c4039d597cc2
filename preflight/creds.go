package preflight

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ckpt/ckpt/criucmd"
)

// CapSysResource is the number of CAP_SYS_RESOURCE (linux/capability.h).
const CapSysResource = 24

// ErrForeignUser refuses a dump that CRIU would fail: a process of the
// container runs as another user than ckpt, and ckpt lacks CAP_SYS_RESOURCE.
var ErrForeignUser = errors.New("a process runs as another user and ckpt lacks CAP_SYS_RESOURCE")

// Creds are the ids and effective capabilities of a process, read from the
// Uid:, Gid: and CapEff: lines of its /proc/PID/status (proc(5)).
type Creds struct {
	UID    [3]int // real, effective, saved set-user-ID
	GID    [3]int // real, effective, saved set-group-ID
	CapEff uint64 // effective capability set, bit N is capability N
}

// Has reports whether capability number c is in the effective set.
func (c Creds) Has(capability int) bool {
	return capability >= 0 && capability < 64 && c.CapEff&(1<<uint(capability)) != 0
}

// ParseStatus reads Creds from the text of a /proc/PID/status file. A
// missing or malformed Uid:, Gid: or CapEff: line is an error that quotes it.
func ParseStatus(status string) (Creds, error) {
	var c Creds
	seen := map[string]bool{}
	for _, line := range strings.Split(status, "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		var err error
		switch key {
		case "Uid":
			err = parseIDs(val, &c.UID)
		case "Gid":
			err = parseIDs(val, &c.GID)
		case "CapEff":
			c.CapEff, err = strconv.ParseUint(strings.TrimSpace(val), 16, 64)
		default:
			continue
		}
		if err != nil {
			return Creds{}, fmt.Errorf("parsing status line '%s' failed: %w", line, err)
		}
		seen[key] = true
	}
	for _, k := range []string{"Uid", "Gid", "CapEff"} {
		if !seen[k] {
			return Creds{}, fmt.Errorf("status has no %s: line", k)
		}
	}
	return c, nil
}

// parseIDs reads the first three of the four ids of a Uid: or Gid: line
// (real, effective, saved, filesystem).
func parseIDs(val string, ids *[3]int) error {
	f := strings.Fields(val)
	if len(f) < 3 {
		return fmt.Errorf("%d ids, want 4", len(f))
	}
	for i := range ids {
		n, err := strconv.Atoi(f[i])
		if err != nil {
			return err
		}
		ids[i] = n
	}
	return nil
}

// Proc is one process of a container, as the dump check sees it.
type Proc struct {
	PID        int    // host pid
	Cmd        string // its command, for the message
	Creds      Creds  // from /proc/PID/status
	SameUserNS bool   // in ckpt's user namespace (no --userns-remap)
}

// CheckForeignUsers returns ErrForeignUser, naming the first such process,
// when self lacks CAP_SYS_RESOURCE and a process of procs has an id other
// than self's real uid and gid. CRIU reads every process's rlimits with
// prlimit(2), which the kernel allows without CAP_SYS_RESOURCE only when the
// target's real, effective and saved uids all equal the caller's real uid,
// and likewise its gids (check_prlimit_permission in kernel/sys.c). A
// process in another user namespace is left to CRIU: the namespace's owner
// holds every capability in it.
func CheckForeignUsers(self Creds, procs []Proc) error {
	if self.Has(CapSysResource) {
		return nil
	}
	for _, p := range procs {
		if !p.SameUserNS || sameIDs(p.Creds.UID, self.UID[0]) && sameIDs(p.Creds.GID, self.GID[0]) {
			continue
		}
		return fmt.Errorf("%w: pid %d (%s) has uid %d and gid %d, ckpt runs as uid %d gid %d, so CRIU cannot read its rlimits "+
			"(prlimit(2) needs CAP_SYS_RESOURCE for another user's process) and the dump would fail; nothing was frozen. %s",
			ErrForeignUser, p.PID, p.Cmd, p.Creds.UID[1], p.Creds.GID[1], self.UID[0], self.GID[0], criucmd.RlimitFix)
	}
	return nil
}

func sameIDs(ids [3]int, id int) bool {
	return ids[0] == id && ids[1] == id && ids[2] == id
}
