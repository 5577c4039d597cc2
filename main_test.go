//go:build linux

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/preflight"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"ckpt": func() { os.Exit(run(os.Args)) },
	})
}

// TestScripts runs the end-to-end contract of the CLI in testscripts/*.txtar,
// once per engine: TestScripts/engine20/<script>, TestScripts/engine29/<script>
// (CKPT_ENGINES=20 runs one engine only). Scripts that need root, dockerd or
// criu say so with conditions; under CI=true a missing prerequisite, an
// engine that does not answer included, fails the run instead of skipping it.
func TestScripts(t *testing.T) {
	engines, err := selectEngines(os.Getenv("CKPT_ENGINES"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range engines {
		t.Run(e.Name, func(t *testing.T) { testscript.Run(t, scriptParams(e)) })
	}
}

// scriptParams runs the scripts against engine e: DOCKER_HOST, DOCKER_ROOT
// and ENGINE_NETNS are the engine's, and so are [docker] and [engineNN].
func scriptParams(e testEngine) testscript.Params {
	root := dockerRoot(e)
	return testscript.Params{
		Dir:                 "testscripts",
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("CKPT_UPDATE_SCRIPTS") == "1",
		Setup: func(env *testscript.Env) error {
			env.Setenv("CI", os.Getenv("CI"))
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("PATH", os.Getenv("PATH"))
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("FIXTURES", filepath.Join(wd, "imageinfo", "testdata"))
			env.Setenv("DOCKER_HOST", e.Host)
			// The engine's root folder, as it reports it (docker info).
			env.Setenv("DOCKER_ROOT", root)
			env.Setenv("ENGINE", e.Name)
			env.Setenv("ENGINE_NETNS", e.NetNS)
			return nil
		},
		Condition: func(cond string) (bool, error) { return scriptCondition(e, cond) },
		Cmds: withCmds(faultCmds, map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"cleanup":       cmdCleanup,
			"waitlog":       cmdWaitlog,
			"lastnum":       cmdLastnum,
			"numabove":      cmdNumabove,
			"jsonget":       cmdJSONGet,
			"engineckpt":    cmdEngineCheckpoint,
			"runcconfclean": cmdRuncConfClean,
			"jsonmatch":     cmdJSONMatch,
			"numfrom":       cmdNumfrom,
			"filenums":      cmdFilenums,
			"httpget":       cmdHTTPGet,
			"critagree":     cmdCritAgree,
			"enginenet":     cmdEngineNet,
			"nocriulock":    cmdNoCriuLock,
			"nowrites":      cmdNoWrites,
			"islink":        cmdIsLink,
			"growth":        cmdGrowth,
		}),
	}
}

// scriptCondition evaluates [root], [docker], [criu], [crit], [podman], [checkpointctl], [compose], [ci],
// [dirtytrack], [cap_sys_resource] and the engine conditions ([engine20],
// [engine29]: true for the engine the script runs against). Unknown conditions are errors. Under CI=true a
// prerequisite that is missing is an error too, so the end-to-end tests can
// never be skipped silently in CI.
func scriptCondition(e testEngine, cond string) (bool, error) {
	var ok bool
	var why string
	for _, te := range testEngines {
		if cond == te.Name {
			return cond == e.Name, nil
		}
	}
	switch cond {
	case "ci":
		return os.Getenv("CI") == "true", nil
	case "dirtytrack":
		// A kernel feature, not a prerequisite: scripts test both sides.
		err := exec.Command("criu", "check", "--feature", "mem_dirty_track").Run()
		return err == nil, nil
	case "cap_sys_resource":
		// Root on an ordinary host holds it, root in some VMs and sandboxes
		// does not; scripts test both sides (see preflight/creds.go).
		self, err := preflight.SelfCreds()
		if err != nil {
			return false, err
		}
		return self.Has(preflight.CapSysResource), nil
	case "root":
		ok, why = os.Geteuid() == 0, "not running as root"
	case "docker":
		ok, why = dockerAnswers(e)
	case "criu":
		ok, why = criuWorks()
	case "crit":
		ok, why = critWorks()
	case "podman":
		ok, why = commandRuns("podman", "--version")
	case "checkpointctl":
		ok, why = commandRuns("checkpointctl", "--help")
	case "compose":
		ok, why = commandRuns("docker-compose", "version")
	default:
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	if !ok && os.Getenv("CI") == "true" {
		return false, fmt.Errorf("CI=true but prerequisite [%s] is missing on %s: %s (run scripts/setup.sh and scripts/engines.sh up)", cond, e.Name, why)
	}
	return ok, nil
}

func dockerAnswers(e testEngine) (bool, string) {
	out, err := engineInfo(e, "{{.ServerVersion}}")
	if err != nil {
		return false, fmt.Sprintf("docker info (DOCKER_HOST=%s): %v: %s", e.Host, err, out)
	}
	return true, ""
}

// dockerRoot asks the engine for its root folder; "" when it does not
// answer (the scripts that need it are skipped, or fail under CI).
func dockerRoot(e testEngine) string {
	out, err := engineInfo(e, "{{.DockerRootDir}}")
	if err != nil {
		return ""
	}
	return out
}

// engineInfo runs docker info --format FORMAT against engine e.
func engineInfo(e testEngine, format string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", "info", "--format", format)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+e.Host)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func criuWorks() (bool, string) { return commandRuns("criu", "check") }

// commandRuns runs a program that probes a prerequisite, and says why not
// if it fails or takes over 30 s.
func commandRuns(name string, args ...string) (bool, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		return false, fmt.Sprintf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return true, ""
}

// cleanup NAME...: removes the named containers, and the network holders
// ckpt-net-NAME a restore on Engine 29 made for them, now and again when
// the script ends, so a failed script leaves nothing running.
func cmdCleanup(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! cleanup")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: cleanup CONTAINER...")
	}
	names := append([]string{}, args...)
	for _, a := range args {
		names = append(names, engine.HolderName(a)) // a network holder ckpt restore made
	}
	// The engine is the one the script talks to now: a script that
	// moves on to another engine (env DOCKER_HOST=...) still removes
	// these from this one at its end.
	host := ts.Getenv("DOCKER_HOST")
	rm := func() {
		_ = dockerAt(host, append([]string{"rm", "-f"}, names...)...).Run()
	}
	rm()
	ts.Defer(rm)
}

// waitlog CONTAINER REGEXP [SECONDS]: waits until the container's log
// (stdout and stderr) matches REGEXP.
func cmdWaitlog(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! waitlog")
	}
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: waitlog CONTAINER REGEXP [SECONDS]")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	limit := 30 * time.Second
	if len(args) == 3 {
		n, err := strconv.Atoi(args[2])
		ts.Check(err)
		limit = time.Duration(n) * time.Second
	}
	deadline := time.Now().Add(limit)
	var out []byte
	for time.Now().Before(deadline) {
		out, _ = dockerCmd(ts, "logs", args[0]).CombinedOutput()
		if re.Match(out) {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	ts.Fatalf("log of %s did not match %q within %v; log ends:\n%s", args[0], args[1], limit, tail(string(out), 20))
}

// lastnum [-prefix WORD] CONTAINER VAR: sets VAR to the last number the
// container's log printed on a line of its own, or after WORD and a space
// with -prefix ("ok 12" from the memory workload).
func cmdLastnum(ts *testscript.TestScript, neg bool, args []string) {
	prefix, args := prefixFlag(args)
	if neg || len(args) != 2 {
		ts.Fatalf("usage: lastnum [-prefix WORD] CONTAINER VAR")
	}
	out, err := dockerCmd(ts, "logs", args[0]).CombinedOutput()
	ts.Check(err)
	n, ok := lastNumber(string(out), prefix)
	if !ok {
		ts.Fatalf("no number in the log of %s:\n%s", args[0], tail(string(out), 20))
	}
	ts.Setenv(args[1], strconv.Itoa(n))
}

// numabove [-prefix WORD] CONTAINER N [SECONDS]: waits until the log's last
// number is above N, and fails if the numbers after the last N are not
// N+1, N+2, ... (the counter must go on, not restart or skip).
func cmdNumabove(ts *testscript.TestScript, neg bool, args []string) {
	prefix, args := prefixFlag(args)
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: numabove [-prefix WORD] CONTAINER N [SECONDS]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	limit := 30 * time.Second
	if len(args) == 3 {
		s, err := strconv.Atoi(args[2])
		ts.Check(err)
		limit = time.Duration(s) * time.Second
	}
	deadline := time.Now().Add(limit)
	var out []byte
	for time.Now().Before(deadline) {
		out, _ = dockerCmd(ts, "logs", args[0]).CombinedOutput()
		if last, ok := lastNumber(string(out), prefix); ok && last > n {
			if err := checkContinues(string(out), prefix, n); err != nil {
				ts.Fatalf("log of %s: %v\n%s", args[0], err, tail(string(out), 20))
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	ts.Fatalf("log of %s shows no number above %d within %v; log ends:\n%s", args[0], n, limit, tail(string(out), 20))
}

func prefixFlag(args []string) (string, []string) {
	if len(args) >= 2 && args[0] == "-prefix" {
		return args[1] + " ", args[2:]
	}
	return "", args
}

// numbers gives the numbers printed one a line, after prefix.
func numbers(log, prefix string) []int {
	var ns []int
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimSpace(l)
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		if v, err := strconv.Atoi(l[len(prefix):]); err == nil {
			ns = append(ns, v)
		}
	}
	return ns
}

func lastNumber(log, prefix string) (int, bool) {
	ns := numbers(log, prefix)
	if len(ns) == 0 {
		return 0, false
	}
	return ns[len(ns)-1], true
}

// checkContinues checks that after the last occurrence of n the log counts
// on n+1, n+2, ... without a gap or a restart.
//
// The log of a clone (ckpt restore --as) starts after the checkpoint, so
// there n never appears and the first number must be n+1.
func checkContinues(log, prefix string, n int) error {
	ns := numbers(log, prefix)
	at := -1
	for i, v := range ns {
		if v == n {
			at = i
		}
	}
	if at < 0 {
		if len(ns) == 0 || ns[0] != n+1 {
			return fmt.Errorf("%d never appears, and the log does not start at %d", n, n+1)
		}
	}
	for i, v := range ns[at+1:] {
		if want := n + 1 + i; v != want {
			return fmt.Errorf("after %d the counter printed %d where %d was due", n, v, want)
		}
	}
	return nil
}

func tail(s string, lines int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > lines {
		ls = ls[len(ls)-lines:]
	}
	return strings.Join(ls, "\n")
}

// jsonget FILE PATH VAR: sets VAR to the value at PATH in the JSON file.
// jsonmatch FILE PATH REGEXP: fails unless the value at PATH matches.
// PATH is a dot-separated list of object keys and array indexes
// ("items.0.name"), or "." for the whole document; strings are taken as
// they are, other values as JSON. A file that is not valid JSON fails both.
func cmdJSONGet(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: jsonget FILE PATH VAR")
	}
	ts.Setenv(args[2], jsonAt(ts, args[0], args[1]))
}

func cmdJSONMatch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: jsonmatch FILE PATH REGEXP")
	}
	re, err := regexp.Compile(args[2])
	ts.Check(err)
	got := jsonAt(ts, args[0], args[1])
	if re.MatchString(got) == neg {
		ts.Fatalf("%s: %s is %q; want match %v for %q", args[0], args[1], got, !neg, args[2])
	}
}

func jsonAt(ts *testscript.TestScript, file, path string) string {
	var v any
	if err := json.Unmarshal([]byte(ts.ReadFile(file)), &v); err != nil {
		ts.Fatalf("%s is not valid JSON: %v", file, err)
	}
	if path != "." {
		for _, k := range strings.Split(path, ".") {
			switch x := v.(type) {
			case map[string]any:
				var ok bool
				if v, ok = x[k]; !ok {
					ts.Fatalf("%s: no key %q at %s", file, k, path)
				}
			case []any:
				i, err := strconv.Atoi(k)
				if err != nil || i < 0 || i >= len(x) {
					ts.Fatalf("%s: no index %q at %s (length %d)", file, k, path, len(x))
				}
				v = x[i]
			default:
				ts.Fatalf("%s: %s goes through a %T", file, path, v)
			}
		}
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// engineckpt CONTAINER DIR NAME: copies the checkpoint folder DIR to where
// the engine reads checkpoint NAME of CONTAINER
// ($DOCKER_ROOT/containers/<id>/checkpoints/NAME), replacing an older
// copy, so that stock `docker start --checkpoint NAME` can restore it.
func cmdEngineCheckpoint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: engineckpt CONTAINER DIR NAME")
	}
	id, err := dockerCmd(ts, "inspect", "-f", "{{.Id}}", args[0]).Output()
	ts.Check(err)
	dst := filepath.Join(ts.Getenv("DOCKER_ROOT"), "containers", strings.TrimSpace(string(id)), "checkpoints", args[2])
	ts.Check(os.RemoveAll(dst))
	ts.Check(os.MkdirAll(dst[:strings.LastIndex(dst, "/")], 0o700))
	if out, err := exec.Command("cp", "-a", ts.MkAbs(args[1]), dst).CombinedOutput(); err != nil {
		ts.Fatalf("cp %s %s: %v: %s", args[1], dst, err, out)
	}
}

// islink PATH TARGET: fails unless PATH is a symbolic link that leads to
// the file TARGET. With !, fails if PATH is a symbolic link.
func cmdIsLink(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: islink PATH TARGET")
	}
	fi, err := os.Lstat(ts.MkAbs(args[0]))
	ts.Check(err)
	isLink := fi.Mode()&os.ModeSymlink != 0
	if neg {
		if isLink {
			ts.Fatalf("%s is a symbolic link", args[0])
		}
		return
	}
	if !isLink {
		ts.Fatalf("%s is a %v, not a symbolic link", args[0], fi.Mode().Type())
	}
	got, err := os.Stat(ts.MkAbs(args[0]))
	ts.Check(err)
	want, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	if !os.SameFile(got, want) {
		ts.Fatalf("%s does not lead to %s", args[0], args[1])
	}
}

// growth start DIR: samples the total size of the files under DIR every
// 20 ms from now on. growth below BYTES / growth above BYTES: stops the
// sampling and fails unless DIR's largest size meanwhile was less than
// BYTES / more than BYTES over its size at the start.
func cmdGrowth(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: growth start DIR | growth below|above BYTES")
	}
	growthMu.Lock()
	defer growthMu.Unlock()
	if args[0] == "start" {
		if growthWatch[ts] != nil {
			ts.Fatalf("growth start: already sampling")
		}
		dir := ts.MkAbs(args[1])
		w := &sizeWatch{dir: dir, start: dirSize(dir), stop: make(chan struct{}), done: make(chan struct{})}
		w.peak = w.start
		go w.run()
		growthWatch[ts] = w
		ts.Defer(func() { w.end() })
		return
	}
	w := growthWatch[ts]
	if w == nil {
		ts.Fatalf("growth %s: no growth start before", args[0])
	}
	delete(growthWatch, ts)
	limit, err := strconv.ParseInt(args[1], 10, 64)
	ts.Check(err)
	grew := w.end()
	ts.Logf("%s grew by at most %d bytes", w.dir, grew)
	switch args[0] {
	case "below":
		if grew >= limit {
			ts.Fatalf("%s grew by %d bytes, want below %d", w.dir, grew, limit)
		}
	case "above":
		if grew <= limit {
			ts.Fatalf("%s grew by %d bytes, want above %d", w.dir, grew, limit)
		}
	default:
		ts.Fatalf("usage: growth start DIR | growth below|above BYTES")
	}
}

var (
	growthMu    sync.Mutex
	growthWatch = map[*testscript.TestScript]*sizeWatch{}
)

// sizeWatch samples a folder's size until it is ended.
type sizeWatch struct {
	dir         string
	start, peak int64
	stop, done  chan struct{}
	once        sync.Once
}

func (w *sizeWatch) run() {
	defer close(w.done)
	for {
		select {
		case <-w.stop:
			return
		case <-time.After(20 * time.Millisecond):
		}
		w.peak = max(w.peak, dirSize(w.dir))
	}
}

// end stops the sampling and returns the largest growth seen.
func (w *sizeWatch) end() int64 {
	w.once.Do(func() { close(w.stop) })
	<-w.done
	return max(w.peak, dirSize(w.dir)) - w.start
}

// dirSize adds up the sizes of the regular files under dir, skipping what
// vanishes while it walks.
func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// numfrom CONTAINER N [SECONDS]: for a container restored from a checkpoint
// into a new container (its log starts after the restore), waits until its
// log shows two numbers and checks that they begin at N+1 and count on.
// N may be a range LO..HI, for a checkpoint of a counter that ran on
// (leave-running): the log must begin between LO+1 and HI+1.
func cmdNumfrom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: numfrom CONTAINER N|LO..HI [SECONDS]")
	}
	loS, hiS, isRange := strings.Cut(args[1], "..")
	lo, err := strconv.Atoi(loS)
	ts.Check(err)
	hi := lo
	if isRange {
		hi, err = strconv.Atoi(hiS)
		ts.Check(err)
	}
	deadline := time.Now().Add(scriptSeconds(ts, args, 2, 30))
	var out []byte
	for time.Now().Before(deadline) {
		out, _ = dockerCmd(ts, "logs", args[0]).CombinedOutput()
		if ns := numbers(string(out), ""); len(ns) >= 2 {
			if ns[0] < lo+1 || ns[0] > hi+1 {
				ts.Fatalf("log of %s begins at %d, want %d..%d (the count must go on from the checkpoint)\n%s", args[0], ns[0], lo+1, hi+1, tail(string(out), 20))
			}
			for i, v := range ns {
				if v != ns[0]+i {
					ts.Fatalf("log of %s: number %d is %d, want %d (the count must go on)\n%s", args[0], i+1, v, ns[0]+i, tail(string(out), 20))
				}
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	ts.Fatalf("log of %s shows fewer than two numbers within the time limit:\n%s", args[0], tail(string(out), 20))
}

// filenums FILE N [SECONDS]: waits until the numbers in FILE (one a line)
// go above N, and checks that after N they count on without a gap or a
// restart, like numabove for a file the container writes.
func cmdFilenums(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: filenums FILE N [SECONDS]")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	deadline := time.Now().Add(scriptSeconds(ts, args, 2, 30))
	var b []byte
	for time.Now().Before(deadline) {
		b, _ = os.ReadFile(ts.MkAbs(args[0]))
		if last, ok := lastNumber(string(b), ""); ok && last > n {
			if err := checkContinues(string(b), "", n); err != nil {
				ts.Fatalf("%s: %v\n%s", args[0], err, tail(string(b), 20))
			}
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	ts.Fatalf("%s shows no number above %d within the time limit; it ends:\n%s", args[0], n, tail(string(b), 20))
}

// httpget URL REGEXP [SECONDS]: retries a GET of URL until it answers 200
// with a body matching REGEXP. With !, the GET must fail or not match.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: httpget URL REGEXP [SECONDS]")
	}
	re, err := regexp.Compile(args[1])
	ts.Check(err)
	c := httpClient(ts.Getenv("ENGINE_NETNS"))
	get := func() (string, error) {
		resp, err := c.Get(args[0])
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return "", err
		}
		if resp.StatusCode != http.StatusOK {
			return string(b), fmt.Errorf("status %s", resp.Status)
		}
		return string(b), nil
	}
	if neg {
		if body, err := get(); err == nil && re.MatchString(body) {
			ts.Fatalf("GET %s answered %q, want no match for %q", args[0], body, args[1])
		}
		return
	}
	deadline := time.Now().Add(scriptSeconds(ts, args, 2, 15))
	for {
		body, err := get()
		if err == nil && re.MatchString(body) {
			ts.Logf("GET %s: %s", args[0], strings.TrimSpace(body))
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("GET %s: %v, body %q; want a match for %q", args[0], err, body, args[1])
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// nowrites [-after] FILE FROM TO: FILE has lines "WRITER SEQ MICROS" (the
// wall clock in microseconds when the writer wrote it). Fails if a line's
// time falls in [FROM, TO] (RFC 3339, or "now"): no writer ran then. Each
// writer must have written before FROM (and, with -after, after TO), and
// counted SEQ up by one (no gap, no restart from 0).
func cmdNoWrites(ts *testscript.TestScript, neg bool, args []string) {
	after := len(args) > 0 && args[0] == "-after"
	if after {
		args = args[1:]
	}
	if neg || len(args) != 3 {
		ts.Fatalf("usage: nowrites [-after] FILE FROM TO")
	}
	at := func(s string) time.Time {
		if s == "now" {
			return time.Now()
		}
		t, err := time.Parse(time.RFC3339Nano, s)
		ts.Check(err)
		return t
	}
	from, to := at(args[1]), at(args[2])
	type span struct {
		seq                 int
		last, firstAfter    time.Time
		before, afterWrites int
	}
	writers := map[string]*span{}
	for i, l := range strings.Split(strings.TrimSpace(ts.ReadFile(args[0])), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			ts.Fatalf("%s:%d: %q is not WRITER SEQ MICROS", args[0], i+1, l)
		}
		seq, err1 := strconv.Atoi(f[1])
		us, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			ts.Fatalf("%s:%d: %q is not WRITER SEQ MICROS", args[0], i+1, l)
		}
		t := time.UnixMicro(us)
		w := writers[f[0]]
		if w == nil {
			w = &span{seq: seq - 1}
			writers[f[0]] = w
		}
		if seq != w.seq+1 {
			ts.Fatalf("%s:%d: writer %s wrote %d after %d (a gap or a restart)", args[0], i+1, f[0], seq, w.seq)
		}
		w.seq = seq
		switch {
		case t.Before(from):
			w.before++
			w.last = t
		case t.After(to):
			if w.afterWrites == 0 {
				w.firstAfter = t
			}
			w.afterWrites++
		default:
			ts.Fatalf("%s:%d: writer %s wrote at %s, %v after FROM and %v before TO: it ran in the window", args[0], i+1, f[0], t.Format(time.RFC3339Nano), t.Sub(from), to.Sub(t))
		}
	}
	if len(writers) == 0 {
		ts.Fatalf("%s: no writes", args[0])
	}
	for name, w := range writers {
		if w.before == 0 || (after && w.afterWrites == 0) {
			ts.Fatalf("writer %s: %d writes before FROM, %d after TO; want some before%s", name, w.before, w.afterWrites, map[bool]string{true: " and after"}[after])
		}
		afterTo := ""
		if w.afterWrites > 0 {
			afterTo = fmt.Sprintf(", the first %v after it", w.firstAfter.Sub(to).Round(time.Millisecond))
		}
		ts.Logf("writer %s: %d writes before FROM, the last %v before it; %d after TO%s; up to seq %d",
			name, w.before, from.Sub(w.last).Round(time.Millisecond), w.afterWrites, afterTo, w.seq)
	}
}

// scriptSeconds reads the optional SECONDS argument at args[i].
func scriptSeconds(ts *testscript.TestScript, args []string, i, def int) time.Duration {
	if len(args) <= i {
		return time.Duration(def) * time.Second
	}
	s, err := strconv.Atoi(args[i])
	ts.Check(err)
	return time.Duration(s) * time.Second
}

// runcconfclean: fails if /etc/criu/runc.conf still holds the lines a ckpt
// restore adds for its duration. It takes the lock ckpt restores hold, so a
// restore running in a parallel script is waited for, not mistaken for a
// leak.
func cmdRuncConfClean(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: runcconfclean")
	}
	lock, err := os.OpenFile("/run/ckpt-runc-conf.lock", os.O_CREATE|os.O_RDWR, 0o600)
	ts.Check(err)
	defer lock.Close()
	ts.Check(unix.Flock(int(lock.Fd()), unix.LOCK_EX))
	defer unix.Flock(int(lock.Fd()), unix.LOCK_UN)
	b, err := os.ReadFile("/etc/criu/runc.conf")
	if err == nil && strings.Contains(string(b), "# ckpt restore:") {
		ts.Fatalf("/etc/criu/runc.conf still holds a restore's lines:\n%s", b)
	}
}

// TestConditionsUnderCI checks the rule that keeps CI honest: with CI=true a
// missing prerequisite is an error, never a skip; without it, a skip.
func TestConditionsUnderCI(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // no docker, no criu
	e := testEngines[0]
	for _, cond := range []string{"docker", "criu"} {
		t.Setenv("CI", "true")
		if ok, err := scriptCondition(e, cond); ok || err == nil || !strings.Contains(err.Error(), "CI=true but prerequisite ["+cond+"] is missing") {
			t.Errorf("CI=true, [%s] missing: ok=%v err=%v; want an error", cond, ok, err)
		}
		t.Setenv("CI", "")
		if ok, err := scriptCondition(e, cond); ok || err != nil {
			t.Errorf("no CI, [%s] missing: ok=%v err=%v; want a plain false", cond, ok, err)
		}
	}
	if _, err := scriptCondition(e, "nosuch"); err == nil {
		t.Error("an unknown condition is not an error")
	}
}

// TestEngineConditions: [engineNN] is true only for the engine a script
// runs against, and CKPT_ENGINES picks engines by version.
func TestEngineConditions(t *testing.T) {
	for _, e := range testEngines {
		for _, other := range testEngines {
			ok, err := scriptCondition(e, other.Name)
			if err != nil || ok != (e.Name == other.Name) {
				t.Errorf("on %s, [%s] = %v, %v", e.Name, other.Name, ok, err)
			}
		}
	}
	for spec, want := range map[string]string{"": "engine20 engine29", "20": "engine20", " 29 ": "engine29", "engine29,20": "engine29 engine20"} {
		got, err := selectEngines(spec)
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
		}
		if err != nil || strings.Join(names, " ") != want {
			t.Errorf("CKPT_ENGINES=%q: %v, %v; want %s", spec, names, err, want)
		}
	}
	if _, err := selectEngines("28"); err == nil || !strings.Contains(err.Error(), "known: 20, 29") {
		t.Errorf("CKPT_ENGINES=28: %v; want an error naming the known engines", err)
	}
}

func TestCheckContinues(t *testing.T) {
	for _, tc := range []struct {
		log  string
		n    int
		fail bool
	}{
		{"1\n2\n3\n4\n", 2, false},
		{"1\n2\n3\n5\n", 2, true},        // a gap
		{"1\n2\n3\n0\n1\n", 2, true},     // a restart
		{"3\n4\n", 2, false},             // a clone's log starts at n+1
		{"4\n5\n", 2, true},              // ... not later
		{"ok 1\nok 2\nok 3\n", 2, false}, // with -prefix ok
	} {
		prefix := ""
		if strings.HasPrefix(tc.log, "ok ") {
			prefix = "ok "
		}
		if err := checkContinues(tc.log, prefix, tc.n); (err != nil) != tc.fail {
			t.Errorf("checkContinues(%q, %d) = %v, want failure %v", tc.log, tc.n, err, tc.fail)
		}
	}
}
