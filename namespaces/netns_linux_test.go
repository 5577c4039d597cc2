package namespaces

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// newNetNS starts a process in a network namespace of its own and returns
// that namespace's file, open. Needs root.
func newNetNS(t *testing.T) *os.File {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace")
	}
	holder := exec.Command("sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := holder.Start(); err != nil {
		t.Fatalf("start a process in a new network namespace: %v", err)
	}
	t.Cleanup(func() { _ = holder.Process.Kill(); _ = holder.Wait() })
	f, err := os.Open("/proc/" + strconv.Itoa(holder.Process.Pid) + "/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestStartInMovesOnlyTheChild(t *testing.T) {
	ns := newNetNS(t)
	want, err := os.Readlink(ns.Name())
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	if want == self {
		t.Fatal("the new namespace is ckpt's own")
	}
	// Many at once, so that a thread left in the namespace would show in
	// the children started from other goroutines where ckpt runs.
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for i := 0; i < 20; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			if got := readNetNS(t, ns); got != want {
				errs <- "child started in the namespace is in " + got + ", want " + want
			}
		}()
		go func() {
			defer wg.Done()
			if got := readNetNS(t, nil); got != self {
				errs <- "child started where ckpt runs is in " + got + ", want " + self
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if got, _ := os.Readlink("/proc/self/ns/net"); got != self {
		t.Errorf("ckpt moved to %s", got)
	}
}

func readNetNS(t *testing.T, ns *os.File) string {
	cmd := exec.Command("readlink", "/proc/self/ns/net")
	var out strings.Builder
	cmd.Stdout = &out
	if err := StartIn(cmd, ns); err != nil {
		t.Error(err)
		return ""
	}
	if err := cmd.Wait(); err != nil {
		t.Error(err)
	}
	return strings.TrimSpace(out.String())
}

func TestCleanInANewNamespace(t *testing.T) {
	if _, err := exec.LookPath("iptables-restore"); err != nil {
		t.Skip("no iptables-restore")
	}
	ns := newNetNS(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	before, err := Take(ctx, ns)
	if err != nil {
		t.Fatal(err)
	}
	// CRIU's own rules, as criu/net.c and criu/netfilter.c write them.
	lock := "*filter\n:CRIU - [0:0]\n-I INPUT -j CRIU\n-I OUTPUT -j CRIU\n-A CRIU -m mark --mark 0xC114 -j ACCEPT\n-A CRIU -j DROP\nCOMMIT\n"
	if _, err := runIn(ctx, ns, lock, "iptables-restore", "-w", "--noflush"); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][]string{
		{"-I", "INPUT", "--source", "127.0.0.1", "--sport", "49496", "--destination", "127.0.0.1", "--dport", "7100"},
		{"-I", "OUTPUT", "--source", "127.0.0.1", "--sport", "7100", "--destination", "127.0.0.1", "--dport", "49496"},
		{"-I", "INPUT", "--source", "127.0.0.1", "--sport", "1", "--destination", "127.0.0.1", "--dport", "2"},
	} {
		args := append([]string{"-w", "-t", "filter"}, r[:2]...)
		args = append(args, "--protocol", "tcp", "-m", "mark", "!", "--mark", "0xC114")
		args = append(args, append(r[2:], "-j", "DROP")...)
		if _, err := runIn(ctx, ns, "", "iptables", args...); err != nil {
			t.Fatal(err)
		}
	}
	removed, err := Clean(ctx, ns, before, []Conn{conn("127.0.0.1:7100", "127.0.0.1:49496"), conn("127.0.0.1:49496", "127.0.0.1:7100")})
	if err != nil {
		t.Fatal(err)
	}
	if len(removed) != 1 || !removed[0].Chain || len(removed[0].Rules) != 4 {
		t.Errorf("removed %+v", removed)
	}
	after, err := runIn(ctx, ns, "", "iptables-save", "-t", "filter")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(after, "CRIU") || strings.Count(after, "0xc114") != 1 || !strings.Contains(after, "--sport 1 --dport 2") {
		t.Errorf("after Clean, want only the rule of the connection not locked by this dump:\n%s", after)
	}
}
