package dump

import (
	"os"
	"os/exec"
	"reflect"
	"testing"
	"time"

	"github.com/ckpt/ckpt/store"
)

func TestNSPid(t *testing.T) {
	status := "Name:\tsleep\nPid:\t4242\nNSpid:\t4242\t7\nPPid:\t1\n"
	if got := nsPID(status, 4242); got != 7 {
		t.Errorf("nsPID = %d, want 7", got)
	}
	if got := nsPID("Name:\tx\n", 99); got != 99 {
		t.Errorf("nsPID without NSpid = %d, want the host pid", got)
	}
	if got := vmRSS("Name:\tx\nVmRSS:\t  1024 kB\n"); got != 1<<20 {
		t.Errorf("vmRSS = %d, want 1 MiB", got)
	}
	if got := vmRSS(status); got != 0 {
		t.Errorf("vmRSS without a VmRSS line = %d, want 0", got)
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
	// Start returns once the child's execve has closed its close-on-exec
	// files, which the kernel does before it sets up the new argument
	// pages: for a moment the child's cmdline can still read empty.
	var procs []store.Process
	var child *store.Process
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		procs, _ = processTree(os.Getpid())
		child = nil
		for i := range procs {
			if procs[i].HostPID == cmd.Process.Pid {
				child = &procs[i]
			}
		}
		if child == nil || len(child.Cmdline) > 0 || time.Now().After(deadline) {
			break
		}
	}
	if child == nil || procs[0].HostPID != os.Getpid() {
		t.Fatalf("tree %+v lacks the child %d or does not start at %d", procs, cmd.Process.Pid, os.Getpid())
	}
	if !reflect.DeepEqual(child.Cmdline, []string{"sleep", "30"}) {
		t.Errorf("child cmdline %q", child.Cmdline)
	}
}
