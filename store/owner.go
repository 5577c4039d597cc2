package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// OwnerFile, inside a partial folder, names the ckpt process writing it:
// its pid and its start time (field 22 of /proc/PID/stat), so that a later
// ckpt can tell a dump in progress from one whose ckpt was killed, even
// after the pid was reused.
const OwnerFile = ".owner"

// Owner is a process, as /proc identifies it across pid reuse.
type Owner struct {
	PID   int
	Start uint64 // clock ticks after boot
}

func (o Owner) String() string { return fmt.Sprintf("%d %d\n", o.PID, o.Start) }

// ParseOwner reads what Owner.String wrote.
func ParseOwner(s string) (Owner, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return Owner{}, fmt.Errorf("owner %q: want \"PID START\"", strings.TrimSpace(s))
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return Owner{}, fmt.Errorf("owner %q: bad pid", strings.TrimSpace(s))
	}
	start, err := strconv.ParseUint(f[1], 10, 64)
	if err != nil {
		return Owner{}, fmt.Errorf("owner %q: bad start time", strings.TrimSpace(s))
	}
	return Owner{PID: pid, Start: start}, nil
}

// StatStart is the start time in /proc/PID/stat's content: field 22,
// counted after the command name, which is in parentheses and may hold
// spaces and parentheses itself.
func StatStart(stat string) (uint64, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, fmt.Errorf("stat %q: no command name", stat)
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); field 22 is f[19].
	if len(f) < 20 {
		return 0, fmt.Errorf("stat: %d fields after the command name, want at least 20", len(f))
	}
	return strconv.ParseUint(f[19], 10, 64)
}

// Alive reports whether owner is still the process running as its pid;
// start reads a pid's start time (an error: no such process).
func (o Owner) Alive(start func(pid int) (uint64, error)) bool {
	s, err := start(o.PID)
	return err == nil && s == o.Start
}

// procStart is a pid's start time from /proc.
func procStart(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return StatStart(string(b))
}

// self is this process as an Owner.
func self() (Owner, error) {
	pid := os.Getpid()
	s, err := procStart(pid)
	if err != nil {
		return Owner{}, fmt.Errorf("read own start time: %w", err)
	}
	return Owner{PID: pid, Start: s}, nil
}

// writeOwner records this process as the owner of the partial folder dir.
func writeOwner(dir string) error {
	o, err := self()
	if err != nil {
		return err
	}
	p := filepath.Join(dir, OwnerFile)
	if err := os.WriteFile(p, []byte(o.String()), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// readOwner is the owner recorded in a partial folder.
func readOwner(dir string) (Owner, error) {
	b, err := os.ReadFile(filepath.Join(dir, OwnerFile))
	if err != nil {
		return Owner{}, err
	}
	return ParseOwner(string(b))
}
