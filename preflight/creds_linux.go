package preflight

import (
	"fmt"
	"os"
	"strings"
)

// SelfCreds reads ckpt's own ids and effective capabilities.
func SelfCreds() (Creds, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return Creds{}, fmt.Errorf("read /proc/self/status: %w", err)
	}
	c, err := ParseStatus(string(b))
	if err != nil {
		return Creds{}, fmt.Errorf("/proc/self/status: %w", err)
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
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue
		}
		c, err := ParseStatus(string(b))
		if err != nil {
			return fmt.Errorf("/proc/%d/status: %w", pid, err)
		}
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		pns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
		procs = append(procs, Proc{PID: pid, Cmd: strings.TrimSpace(string(comm)), Creds: c, SameUserNS: pns == ns})
	}
	return CheckForeignUsers(self, procs)
}
