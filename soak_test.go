//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ckpt/ckpt/store"
)

// TestSoak runs ckpt in this process: 20 leave-running dumps of one
// container, then 10 dump → restore cycles, each of which must succeed
// with the workload's memory checksum holding. Afterwards ckpt's open
// files, child processes and goroutines, and the store's size, must be
// back where they were. It needs root, the engine and criu (under CI=true
// their absence fails).
func TestSoak(t *testing.T) {
	engines, err := selectEngines(os.Getenv("CKPT_ENGINES"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		t.Run(e.Name, func(t *testing.T) {
			for _, cond := range []string{"root", "docker", "criu"} {
				ok, err := scriptCondition(e, cond)
				if err != nil {
					t.Fatal(err)
				}
				if !ok {
					t.Skipf("needs [%s]", cond)
				}
			}
			soak(t, e)
		})
	}
}

func soak(t *testing.T, e testEngine) {
	t.Setenv("DOCKER_HOST", e.Host)
	name := "ck-soak-" + e.Name
	docker := func(args ...string) string {
		out, err := exec.Command("docker", args...).CombinedOutput()
		if err != nil {
			t.Fatalf("docker %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	// With the network holder a restore on Engine 28 and newer makes.
	_ = exec.Command("docker", "rm", "-f", name, "ckpt-net-"+name).Run()
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name, "ckpt-net-"+name).Run() })
	docker("run", "-d", "--name", name, "ckpt-apps", "memory", "-mib", "64", "-every", "100ms")
	waitFor(t, 60*time.Second, func() bool { return strings.Contains(docker("logs", name), "ok 1\n") })

	dir := t.TempDir()
	ckpt := func(args ...string) {
		var out, errb bytes.Buffer
		if code := runWith(append([]string{"ckpt"}, args...), &out, &errb); code != 0 {
			t.Fatalf("ckpt %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errb.String())
		}
	}
	// One dump → restore cycle first, so that what is made once per
	// process (the engine client's connection pool, the Go runtime's
	// threads) or once per container (on an engine restoring through a
	// network holder, the container's CRIU settings file, which stays
	// while the container exists) is there before the baseline.
	ckpt("dump", "--dir", dir, "--name", "warm", "--leave-running=false", name)
	ckpt("restore", "--dir", dir, "--name", "warm", name)
	ckpt("rm", "--dir", dir, name, "warm")
	base := takeCensus(t, dir)

	for i := range 20 {
		ckpt("dump", "--dir", dir, "--name", fmt.Sprintf("run%02d", i), name)
	}
	for i := range 20 {
		ckpt("rm", "--dir", dir, name, fmt.Sprintf("run%02d", i))
	}
	for i := range 10 {
		c := fmt.Sprintf("cycle%d", i)
		before := lastOK(docker("logs", name))
		ckpt("dump", "--dir", dir, "--name", c, "--leave-running=false", name)
		ckpt("restore", "--dir", dir, "--name", c, name)
		waitFor(t, 30*time.Second, func() bool { return lastOK(docker("logs", name)) > before })
		if after := lastOK(docker("logs", name)); after <= before {
			t.Fatalf("cycle %d: the workload did not go on after the restore (ok %d, then %d)", i, before, after)
		}
		if logs := docker("logs", name); strings.Contains(logs, "CORRUPT") {
			t.Fatalf("cycle %d: the memory checksum broke:\n%s", i, tail(logs, 5))
		}
		ckpt("rm", "--dir", dir, name, c)
	}
	var now census
	// A connection the engine client keeps alive may close a moment late.
	waitFor(t, 5*time.Second, func() bool { now = takeCensus(t, dir); return !now.grew(base) })
	if now.grew(base) {
		t.Fatalf("after the soak: %+v; before: %+v", now, base)
	}
	t.Logf("30 dumps, 10 restores: %+v before and after", base)
}

// census is what a leak would grow.
type census struct {
	FDs, Children, Goroutines int
	StoreBytes                int64
}

// grew reports whether anything counted is above where it was in base;
// fewer (an idle connection of the engine client closed since) is no leak.
func (c census) grew(base census) bool {
	return c.FDs > base.FDs || c.Children > base.Children || c.Goroutines > base.Goroutines || c.StoreBytes > base.StoreBytes
}

func takeCensus(t *testing.T, dir string) census {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	children := 0
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, f := range tasks {
		b, _ := os.ReadFile(f)
		children += len(strings.Fields(string(b)))
	}
	size, err := store.DirSize(dir)
	if err != nil {
		t.Fatal(err)
	}
	return census{FDs: len(fds), Children: children, Goroutines: runtime.NumGoroutine(), StoreBytes: size}
}

func lastOK(logs string) int {
	n, _ := lastNumber(logs, "ok ")
	return n
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}
