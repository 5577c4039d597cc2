package checkpoint

import (
	"os"
	"os/exec"
	"reflect"
	"testing"
)

func TestNSPid(t *testing.T) {
	status := "Name:\tsleep\nPid:\t4242\nNSpid:\t4242\t7\nPPid:\t1\n"
	if got := nsPID(status, 4242); got != 7 {
		t.Errorf("nsPID = %d, want 7", got)
	}
	if got := nsPID("Name:\tx\n", 99); got != 99 {
		t.Errorf("nsPID without NSpid = %d, want the host pid", got)
	}
}

func TestSplitCmdline(t *testing.T) {
	if got := splitCmdline([]byte("sh\x00-c\x00echo a b\x00")); !reflect.DeepEqual(got, []string{"sh", "-c", "echo a b"}) {
		t.Errorf("splitCmdline = %q", got)
	}
	if got := splitCmdline(nil); got != nil {
		t.Errorf("splitCmdline(empty) = %q", got)
	}
}

// TestProcessTree walks a real tree: this test's process and a child.
func TestProcessTree(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal("cannot start sleep:", err)
	}
	defer cmd.Process.Kill()
	procs := processTree(os.Getpid())
	var found bool
	for _, p := range procs {
		if p.HostPID == cmd.Process.Pid {
			found = true
			if !reflect.DeepEqual(p.Cmdline, []string{"sleep", "30"}) {
				t.Errorf("child cmdline %q", p.Cmdline)
			}
		}
	}
	if !found || procs[0].HostPID != os.Getpid() {
		t.Errorf("tree %+v lacks the child %d or does not start at %d", procs, cmd.Process.Pid, os.Getpid())
	}
}
