package preflight

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"
)

// SelfCreds reads ckpt's own ids and effective capabilities.
func SelfCreds() (Creds, error) {
	return readCreds("self")
}

// readCreds parses /proc/PID/status; pid is a number or "self".
func readCreds(pid string) (Creds, error) {
	p := "/proc/" + pid + "/status"
	b, err := os.ReadFile(p)
	if err != nil {
		return Creds{}, fmt.Errorf("read %s: %w", p, err)
	}
	c, err := ParseStatus(string(b))
	if err != nil {
		return Creds{}, fmt.Errorf("%s: %w", p, err)
	}
	return c, nil
}

// CheckUsers refuses, before anything is frozen, a dump of the processes
// pids (host pids) that CRIU would fail (see CheckForeignUsers). A process
// that exits meanwhile is skipped.
func CheckUsers(pids []int) error {
	self, err := SelfCreds()
	if err != nil {
		return err
	}
	if self.Has(CapSysResource) {
		return nil
	}
	ns, _ := os.Readlink("/proc/self/ns/user")
	var procs []Proc
	for _, pid := range pids {
		c, err := readCreds(fmt.Sprint(pid))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ESRCH) {
			continue
		}
		if err != nil {
			return err
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		pns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
		procs = append(procs, Proc{PID: pid, Cmd: strings.TrimSpace(string(comm)), Creds: c, SameUserNS: pns == ns})
	}
	return CheckForeignUsers(self, procs)
}
