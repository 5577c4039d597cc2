package criucmd

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// These tests run Run against shell scripts standing in for criu, so they
// need neither root nor criu. Real dumps are covered by the testscripts.

// argParser is the part of every fake criu that finds -W and -o.
const argParser = `work=""; log=""
for a in "$@"; do printf '%s\n' "$a" >> "$FAKE_ARGV"; done
while [ $# -gt 0 ]; do
	case "$1" in -W) work=$2; shift;; -o) log=$2; shift;; esac
	shift
done
`

// fakeCriu writes a fake criu running body after argParser; the arguments
// it got end up, one per line, in the returned argv file.
func fakeCriu(t *testing.T, body string) (exe, argvFile string) {
	t.Helper()
	dir := t.TempDir()
	argvFile = filepath.Join(dir, "argv")
	t.Setenv("FAKE_ARGV", argvFile)
	return fakeBinary(t, dir, "criu", argParser+body), argvFile
}

func dumpOptions(t *testing.T) Options {
	base := t.TempDir()
	return Options{
		Action:    Dump,
		PID:       4242,
		ImagesDir: filepath.Join(base, "cp", "images"),
		WorkDir:   filepath.Join(base, "cp", "work"),
		ExtUnixSk: true,
		External:  []string{"mnt[/etc/my hosts]:/etc/hosts"},
	}
}

func shortGrace(t *testing.T, d time.Duration) {
	old := termGrace
	termGrace = d
	t.Cleanup(func() { termGrace = old })
}

func TestRunSuccess(t *testing.T) {
	exe, argvFile := fakeCriu(t, `echo "(00.000001) Dumping finished successfully" > "$work/$log"`)
	o := dumpOptions(t)
	res, err := Run(context.Background(), exe, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want, _ := Args(o)
	got, err := os.ReadFile(argvFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != strings.Join(want, "\n")+"\n" {
		t.Errorf("criu got\n%s\nwant\n%s", got, strings.Join(want, "\n"))
	}
	if !slices.Equal(res.Argv, append([]string{exe}, want...)) {
		t.Errorf("Result.Argv = %q", res.Argv)
	}
	if res.LogPath != filepath.Join(o.WorkDir, "dump.log") || res.Duration <= 0 {
		t.Errorf("Result = %+v", res)
	}
	for _, d := range []string{o.ImagesDir, o.WorkDir} {
		fi, err := os.Stat(d)
		if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: %v, %v; want a 0700 directory", d, fi, err)
		}
	}
}

func TestRunFailureQuotesLog(t *testing.T) {
	log, err := filepath.Abs(filepath.Join("testdata", "logs", "not-session-leader.dump.log"))
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := fakeCriu(t, `cp "`+log+`" "$work/$log"; echo "some stderr"; exit 1`)
	o := dumpOptions(t)
	res, err := Run(context.Background(), exe, o)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want *Error", err)
	}
	if res == nil || !strings.Contains(res.Output, "some stderr") {
		t.Errorf("Result = %+v, want criu's output captured", res)
	}
	if ce.ExitCode != 1 || ce.LogPath != o.LogPath() || ce.Action != Dump {
		t.Errorf("Error = %+v", ce)
	}
	if l, ok := ce.mainLine(); !ok || l.Num != 788 {
		t.Errorf("main line = %+v, want line 788 of the log", l)
	}
	if h := ce.Hints(); len(h) != 1 || !strings.Contains(h[0], "--shell-job") {
		t.Errorf("Hints = %q", h)
	}
	if !strings.Contains(err.Error(), "exit status 1") || !strings.Contains(err.Error(), "not a session leader") {
		t.Errorf("Error() = %q", err)
	}
}

func TestRunFailureStderrOnly(t *testing.T) {
	exe, _ := fakeCriu(t, `echo "Error (criu/crtools.c:259): Couldn't open image dir /nope" >&2; exit 1`)
	_, err := Run(context.Background(), exe, dumpOptions(t))
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want *Error", err)
	}
	if len(ce.Lines) != 1 || ce.Lines[0].Source != "criu/crtools.c:259" {
		t.Errorf("Lines = %+v, want the stderr error", ce.Lines)
	}
	if h := ce.Hints(); len(h) != 1 || !strings.Contains(h[0], "images directory") {
		t.Errorf("Hints = %q", h)
	}
}

func TestRunIgnoresStaleLog(t *testing.T) {
	exe, _ := fakeCriu(t, `exit 1`)
	o := dumpOptions(t)
	if err := os.MkdirAll(o.WorkDir, 0o700); err != nil {
		t.Fatal(err)
	}
	stale := "(00.1) Error (criu/old.c:1): from an earlier run\n"
	if err := os.WriteFile(o.LogPath(), []byte(stale), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), exe, o)
	var ce *Error
	if !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want *Error", err)
	}
	if len(ce.Lines) != 0 {
		t.Errorf("Lines = %+v, quoted from a stale log", ce.Lines)
	}
}

func TestRunTimeoutSendsTerm(t *testing.T) {
	shortGrace(t, 5*time.Second)
	exe, _ := fakeCriu(t, `trap 'kill $! 2>/dev/null; echo term > "$work/got-term"; exit 143' TERM
sleep 30 &
wait`)
	o := dumpOptions(t)
	o.Timeout = 300 * time.Millisecond
	o.FreezeCgroup = "/sys/fs/cgroup/freezer/docker/abc"
	start := time.Now()
	res, err := Run(context.Background(), exe, o)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("Run took %s: criu was not stopped by SIGTERM", took)
	}
	if !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run error = %v, want ErrTimeout", err)
	}
	for _, want := range []string{"after 300ms", "/sys/fs/cgroup/freezer/docker/abc/freezer.state"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if _, err := os.Stat(filepath.Join(o.WorkDir, "got-term")); err != nil {
		t.Errorf("criu did not get SIGTERM: %v", err)
	}
	if res == nil {
		t.Error("no Result for a started run")
	}
}

// A criu stopped by SIGTERM exits, but a helper it forked sleeps on (as
// CRIU's did, holding the partial folder open): Run kills what is left
// in criu's process group.
func TestRunKillsCriusHelpers(t *testing.T) {
	shortGrace(t, 5*time.Second)
	exe, _ := fakeCriu(t, `sleep 30 &
echo $! > "$work/helper.pid"
trap 'exit 143' TERM
while :; do sleep 0.05; done`)
	o := dumpOptions(t)
	o.Timeout = 300 * time.Millisecond
	if _, err := Run(context.Background(), exe, o); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Run error = %v, want ErrTimeout", err)
	}
	b, err := os.ReadFile(filepath.Join(o.WorkDir, "helper.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	// Killed, it is the init process's to reap: gone, or a zombie, soon.
	deadline := time.Now().Add(2 * time.Second)
	for {
		st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Contains(string(st), ") Z ") {
			break
		}
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("criu's helper %d still runs after Run returned: %s", pid, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunTimeoutKills(t *testing.T) {
	shortGrace(t, 300*time.Millisecond)
	exe, _ := fakeCriu(t, `trap '' TERM; exec sleep 30`)
	o := dumpOptions(t)
	o.Timeout = 200 * time.Millisecond
	start := time.Now()
	_, err := Run(context.Background(), exe, o)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Run took %s: a criu ignoring SIGTERM was not killed", took)
	}
	var ce *Error
	if !errors.Is(err, ErrTimeout) || !errors.As(err, &ce) {
		t.Fatalf("Run error = %v, want an *Error wrapping ErrTimeout", err)
	}
	if ce.ExitCode != -1 {
		t.Errorf("ExitCode = %d, want -1 for a killed criu", ce.ExitCode)
	}
}

func TestRunCancelled(t *testing.T) {
	shortGrace(t, time.Second)
	exe, _ := fakeCriu(t, `exec sleep 30`)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := Run(ctx, exe, dumpOptions(t))
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("Run error = %v, want context.Canceled and not ErrTimeout", err)
	}
}

func TestRunRejects(t *testing.T) {
	exe, argvFile := fakeCriu(t, `exit 0`)
	images := t.TempDir()
	for _, tc := range []struct {
		name     string
		criuPath string
		o        Options
		is       error
		want     string
	}{
		{"invalid options", exe, Options{Action: Dump, ImagesDir: "rel"}, ErrInvalidOptions, `ImagesDir "rel"`},
		{"empty criu path", "", Options{Action: Dump, PID: 1, ImagesDir: images}, ErrNotFound, "FindCriu"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), tc.criuPath, tc.o)
			if !errors.Is(err, tc.is) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Run error = %v, want %v mentioning %q", err, tc.is, tc.want)
			}
			if res != nil {
				t.Errorf("Result %+v for a run that never started", res)
			}
		})
	}
	if _, err := os.Stat(argvFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("criu was started despite bad input (%v)", err)
	}
}

func TestProbe(t *testing.T) {
	dir := t.TempDir()
	ok := fakeBinary(t, dir, "criu-ok", `[ "$1" = --version ] || exit 2; printf 'Version: 4.2.1\nGitID: v4.2.1\n'`)
	if v, err := Probe(context.Background(), ok); err != nil || v != (Version{4, 2, 1}) {
		t.Errorf("Probe = %v, %v; want 4.2.1", v, err)
	}
	garbled := fakeBinary(t, dir, "criu-garbled", `echo hello`)
	if _, err := Probe(context.Background(), garbled); !errors.Is(err, ErrBadVersion) {
		t.Errorf("Probe of garbled output: %v, want ErrBadVersion", err)
	}
	failing := fakeBinary(t, dir, "criu-failing", `echo broken >&2; exit 3`)
	if _, err := Probe(context.Background(), failing); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Probe of a failing criu: %v, want its output quoted", err)
	}
}

// TestProbeInstalled checks the parser against the criu on this machine,
// when there is one; `criu --version` needs no root.
func TestProbeInstalled(t *testing.T) {
	path, err := FindCriu("")
	if err != nil {
		t.Skipf("no criu installed: %v", err)
	}
	v, err := Probe(context.Background(), path)
	if err != nil {
		t.Fatalf("Probe(%s): %v", path, err)
	}
	if v.Major < 3 {
		t.Errorf("Probe(%s) = %v, implausible", path, v)
	}
	t.Logf("%s is criu %v", path, v)
}

func TestRunInNetNS(t *testing.T) {
	out := filepath.Join(t.TempDir(), "netns")
	exe, _ := fakeCriu(t, `readlink /proc/self/ns/net > `+out+`; echo ok > "$work/$log"`)
	o := dumpOptions(t)
	o.NetNS = filepath.Join(t.TempDir(), "missing")
	if _, err := Run(context.Background(), exe, o); err == nil || !strings.Contains(err.Error(), "open the network namespace to run it in") {
		t.Fatalf("missing namespace: err = %v", err)
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a network namespace")
	}
	holder := exec.Command("sleep", "60")
	holder.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
	if err := holder.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Process.Kill(); _ = holder.Wait() }()
	o.NetNS = "/proc/" + strconv.Itoa(holder.Process.Pid) + "/ns/net"
	want, err := os.Readlink(o.NetNS)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), exe, o); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(got)) != want {
		t.Errorf("criu ran in %s, want %s", got, want)
	}
	if self, _ := os.Readlink("/proc/self/ns/net"); self == want {
		t.Error("ckpt itself moved into the namespace")
	}
}
