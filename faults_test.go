//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moby/sys/mountinfo"
	"github.com/rogpeppe/go-internal/testscript"
)

// faultCmds are the testscript commands that check what a fault left.
var faultCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"procsok":    cmdProcsOK,
	"nocriu":     cmdNoCriu,
	"midwrite":   cmdMidwrite,
	"sendsig":    cmdSendsig,
	"mountdefer": cmdMountDefer,
	"criuopen":   cmdCriuOpen,
	"noyard":     cmdNoYard,
	"waitfile":   cmdWaitfile,
	"freezekill": cmdFreezeKill,
}

// procsok CONTAINER: fails unless the container runs, and every process
// of it (every process in its pid namespace) is neither stopped nor
// traced (State, TracerPid in /proc/PID/status) and its freezer cgroup,
// if any, is THAWED.
func cmdProcsOK(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: procsok CONTAINER")
	}
	// Give a tree that CRIU (or its death) just let go a second to run.
	deadline := time.Now().Add(time.Second)
	for {
		bad := procsProblems(ts, args[0])
		if len(bad) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("processes of %s not running freely a second on:\n%s", args[0], strings.Join(bad, "\n"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// procsProblems lists what keeps the container's processes from running.
func procsProblems(ts *testscript.TestScript, container string) []string {
	args := []string{container}
	out, err := dockerCmd(ts, "inspect", "-f", "{{.State.Pid}}", args[0]).Output()
	ts.Check(err)
	init, err := strconv.Atoi(strings.TrimSpace(string(out)))
	ts.Check(err)
	if init <= 0 {
		return []string{fmt.Sprintf("%s does not run (pid %d)", args[0], init)}
	}
	pids, err := pidsInNamespaceOf(init)
	if err != nil || len(pids) == 0 {
		return []string{fmt.Sprintf("no process of %s found in /proc: %v", args[0], err)}
	}
	var bad []string
	for _, pid := range pids {
		st, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			continue // it exited meanwhile
		}
		state, tracer := statusField(st, "State"), statusField(st, "TracerPid")
		if strings.HasPrefix(state, "T") || strings.HasPrefix(state, "t") || tracer != "0" {
			bad = append(bad, fmt.Sprintf("pid %d: State %s, TracerPid %s", pid, state, tracer))
		}
	}
	if f := freezerState(init); f != "" && f != "THAWED" {
		bad = append(bad, "freezer.state "+f)
	}
	if len(bad) == 0 {
		ts.Logf("%s: %d processes, none stopped or traced", args[0], len(pids))
	}
	return bad
}

// pidsInNamespaceOf lists the host pids that share pid's pid namespace.
func pidsInNamespaceOf(pid int) ([]int, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, err
	}
	des, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, de := range des {
		p, err := strconv.Atoi(de.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", p)); err == nil && ns == want {
			pids = append(pids, p)
		}
	}
	return pids, nil
}

func statusField(status []byte, key string) string {
	for _, l := range bytes.Split(status, []byte("\n")) {
		if k, v, ok := bytes.Cut(l, []byte(":")); ok && string(k) == key {
			return strings.TrimSpace(string(v))
		}
	}
	return ""
}

// freezerState is the v1 freezer state of pid's cgroup, "" without one.
func freezerState(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.SplitN(l, ":", 3)
		if len(f) == 3 && f[1] == "freezer" {
			s, err := os.ReadFile(filepath.Join("/sys/fs/cgroup/freezer", f[2], "freezer.state"))
			if err == nil {
				return strings.TrimSpace(string(s))
			}
		}
	}
	return ""
}

// freezekill CONTAINER DIR: waits until the container's freezer cgroup is
// FROZEN, kills every ckpt whose command line names DIR with SIGKILL at
// once, and fails unless the cgroup is still FROZEN half a second later:
// ckpt was killed after its own freeze and before criu seized the tasks
// (criu dies with ckpt), so nothing thaws it but the next ckpt command.
// The moment is a millisecond or so; fault_dump holds it open with a
// wrapper around criu.
func cmdFreezeKill(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: freezekill CONTAINER DIR")
	}
	out, err := dockerCmd(ts, "inspect", "-f", "{{.State.Pid}}", args[0]).Output()
	ts.Check(err)
	init, err := strconv.Atoi(strings.TrimSpace(string(out)))
	ts.Check(err)
	dir := ts.MkAbs(args[1])
	deadline := time.Now().Add(30 * time.Second)
	for freezerState(init) != "FROZEN" {
		if time.Now().After(deadline) {
			ts.Fatalf("the freezer of %s did not go FROZEN in 30s", args[0])
		}
	}
	ps := findProcs("ckpt", dir)
	if len(ps) == 0 {
		ts.Fatalf("freezekill: %s froze, and no ckpt runs for %s", args[0], args[1])
	}
	for _, p := range ps {
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		ts.Check(syscall.Kill(pid, syscall.SIGKILL))
		ts.Logf("kill -KILL %s", p)
	}
	time.Sleep(500 * time.Millisecond)
	if s := freezerState(init); s != "FROZEN" {
		ts.Fatalf("freezekill: %s is %s half a second after ckpt was killed: the kill came after criu seized it", args[0], s)
	}
}

// nocriu DIR: fails if a criu process runs whose command line names DIR
// (scripts run in parallel, so other scripts' criu runs are not counted).
func cmdNoCriu(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: nocriu DIR")
	}
	dir := ts.MkAbs(args[0])
	// A criu killed with its ckpt takes a moment to exit.
	deadline := time.Now().Add(5 * time.Second)
	for {
		ps := findProcs("criu", dir)
		if len(ps) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("criu still runs 5s on: %s", strings.Join(ps, "; "))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// findProcs lists the live processes named prog whose command line holds
// dir, as "PID ARGV".
func findProcs(prog, dir string) []string {
	des, _ := os.ReadDir("/proc")
	var out []string
	for _, de := range des {
		if _, err := strconv.Atoi(de.Name()); err != nil {
			continue
		}
		cl, err := os.ReadFile("/proc/" + de.Name() + "/cmdline")
		if err != nil || len(cl) == 0 {
			continue
		}
		argv := strings.Split(strings.TrimRight(string(cl), "\x00"), "\x00")
		if filepath.Base(argv[0]) != prog || !strings.Contains(string(cl), dir) {
			continue
		}
		st, _ := os.ReadFile("/proc/" + de.Name() + "/status")
		if strings.HasPrefix(statusField(st, "State"), "Z") {
			continue
		}
		out = append(out, de.Name()+" "+strings.Join(argv, " "))
	}
	return out
}

// midwrite DIR [SECONDS]: waits until a criu whose command line names DIR
// runs and has written at least 8 MiB of pages into a partial folder under
// DIR: the middle of a dump.
func cmdMidwrite(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: midwrite DIR [SECONDS]")
	}
	dir := ts.MkAbs(args[0])
	deadline := time.Now().Add(scriptSeconds(ts, args, 1, 60))
	for time.Now().Before(deadline) {
		pages, _ := filepath.Glob(filepath.Join(dir, "*", ".*.partial-*", "pages-*.img"))
		for _, p := range pages {
			if fi, err := os.Stat(p); err == nil && fi.Size() >= 8<<20 && len(findProcs("criu", dir)) > 0 {
				ts.Logf("criu is writing %s (%d bytes so far)", p, fi.Size())
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	ts.Fatalf("no criu wrote 8 MiB of pages under %s in time", dir)
}

// sendsig SIGNAL PROG DIR: sends SIGNAL (INT, TERM, KILL) to every process
// named PROG whose command line names DIR; there must be one.
func cmdSendsig(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: sendsig INT|TERM|KILL PROG DIR")
	}
	sig, ok := map[string]syscall.Signal{"INT": syscall.SIGINT, "TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL}[args[0]]
	if !ok {
		ts.Fatalf("sendsig: unknown signal %s", args[0])
	}
	ps := findProcs(args[1], ts.MkAbs(args[2]))
	if len(ps) == 0 {
		ts.Fatalf("sendsig: no %s runs for %s", args[1], args[2])
	}
	for _, p := range ps {
		pid, _ := strconv.Atoi(strings.Fields(p)[0])
		ts.Logf("kill -%s %s", args[0], p)
		ts.Check(syscall.Kill(pid, sig))
	}
}

// mountdefer DIR MOUNT-ARGS...: runs mount MOUNT-ARGS... DIR (DIR made if
// need be) and unmounts DIR when the script ends, failed or not.
func cmdMountDefer(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mountdefer DIR MOUNT-ARGS...")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o755))
	if out, err := exec.Command("mount", append(args[1:], dir)...).CombinedOutput(); err != nil {
		ts.Fatalf("mount tmpfs on %s: %v: %s", dir, err, out)
	}
	ts.Defer(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

// withCmds adds the commands of more to cmds.
func withCmds(more, cmds map[string]func(*testscript.TestScript, bool, []string)) map[string]func(*testscript.TestScript, bool, []string) {
	for k, v := range more {
		cmds[k] = v
	}
	return cmds
}

// criuopen [-kill] DIR [SECONDS]: waits until a criu process holds a file
// under DIR open (a restore reading the checkpoint's pages through their
// links into the store, or writing its log) and, with -kill, kills it with
// SIGKILL. It finds the restore's criu whatever the engine calls the
// container it restores into. Negated, it fails if a criu still holds a
// file under DIR open 5 seconds on.
func cmdCriuOpen(ts *testscript.TestScript, neg bool, args []string) {
	kill := len(args) > 0 && args[0] == "-kill"
	if kill {
		args = args[1:]
	}
	if len(args) < 1 || len(args) > 2 || (neg && kill) {
		ts.Fatalf("usage: criuopen [-kill] DIR [SECONDS]")
	}
	dir := filepath.Clean(ts.MkAbs(args[0]))
	if neg {
		// A criu just killed takes a moment to exit.
		deadline := time.Now().Add(5 * time.Second)
		for held := criuHolding(dir); len(held) > 0; held = criuHolding(dir) {
			if time.Now().After(deadline) {
				ts.Fatalf("criu still holds files under %s open 5s on:\n%s", dir, strings.Join(held, "\n"))
			}
			time.Sleep(50 * time.Millisecond)
		}
		return
	}
	deadline := time.Now().Add(scriptSeconds(ts, args, 1, 120))
	for time.Now().Before(deadline) {
		if held := criuHolding(dir); len(held) > 0 {
			ts.Logf("criu holds %s", held[0])
			if kill {
				pid, _ := strconv.Atoi(strings.Fields(held[0])[0])
				ts.Check(syscall.Kill(pid, syscall.SIGKILL))
			}
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	ts.Fatalf("no criu opened a file under %s in time", dir)
}

// criuHolding lists, as "PID PATH", the open files under dir of every
// process called criu.
func criuHolding(dir string) []string {
	des, _ := os.ReadDir("/proc")
	var out []string
	for _, de := range des {
		if _, err := strconv.Atoi(de.Name()); err != nil {
			continue
		}
		comm, err := os.ReadFile("/proc/" + de.Name() + "/comm")
		if err != nil || strings.TrimSpace(string(comm)) != "criu" {
			continue
		}
		fds, _ := os.ReadDir("/proc/" + de.Name() + "/fd")
		for _, fd := range fds {
			t, err := os.Readlink("/proc/" + de.Name() + "/fd/" + fd.Name())
			if err == nil && strings.HasPrefix(t, dir+"/") {
				out = append(out, de.Name()+" "+t)
				break
			}
		}
	}
	return out
}

// noyard: fails if a cgroup yard of CRIU's (.criu.cgyard.XXXXXX, which
// criu mounts in its working folder for a restore) is still mounted 5
// seconds on with no live criu working in that folder: one a killed criu
// left behind. Yards of restores running in parallel scripts are not
// counted.
func cmdNoYard(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: noyard")
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left := orphanYards()
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("cgroup yards of criu left mounted:\n%s", strings.Join(left, "\n"))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// orphanYards lists the CRIU cgroup yards mounted where no criu works.
func orphanYards() []string {
	yards, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		return !strings.HasPrefix(filepath.Base(m.Mountpoint), ".criu.cgyard."), false
	})
	if err != nil || len(yards) == 0 {
		return nil
	}
	working := map[string]bool{}
	for _, p := range findProcs("criu", "") {
		if cwd, err := os.Readlink("/proc/" + strings.Fields(p)[0] + "/cwd"); err == nil {
			working[cwd] = true
		}
	}
	var out []string
	for _, y := range yards {
		if !working[filepath.Dir(y.Mountpoint)] {
			out = append(out, y.Mountpoint)
		}
	}
	return out
}

// waitfile FILE REGEXP [SECONDS]: waits until FILE's content matches.
func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: waitfile FILE REGEXP [SECONDS]")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	deadline := time.Now().Add(scriptSeconds(ts, args, 2, 30))
	for time.Now().Before(deadline) {
		if b, err := os.ReadFile(ts.MkAbs(args[0])); err == nil && re.Match(b) {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	ts.Fatalf("%s did not match %q in time", args[0], args[1])
}
