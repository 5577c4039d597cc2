package criucmd

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

// The logs in testdata/logs were written by criu 4.2.1 on Linux 6.18
// (Debian 12, docker 20.10, cgroup v1); testdata/logs/README.md says how
// each was made.

func parseLogFile(t *testing.T, name string) []LogLine {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "logs", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return ParseLog(f)
}

func TestParseLogRealLogs(t *testing.T) {
	for _, tc := range []struct {
		file string
		// the error ckpt should lead with
		num     int
		source  string
		message string
		hint    string // substring of Hint(message)
		errors  int    // error lines, harmless ones excluded
	}{
		{"container-no-externals.dump.log", 359, "criu/mount.c:753",
			"mnt: 539:./etc/hosts doesn't have a proper root mount", "ckpt mounts explain", 2},
		{"host-cgroup-no-proper-root.dump.log", 342, "criu/mount.c:753",
			"mnt: 444:./sys/fs/cgroup/memory doesn't have a proper root mount", "ckpt mounts explain", 2},
		{"not-session-leader.dump.log", 788, "criu/pstree.c:304",
			"The root process 7 is not a session leader. Consider using --shell-job option", "--shell-job", 2},
		{"tcp-established.dump.log", 1156, "criu/sk-inet.c:200",
			"inet: Connected TCP socket, consider using --tcp-established option.", "--tcp-established", 3},
		{"track-mem-unsupported.pre-dump.log", 61, "criu/config.c:1131",
			"Tracking memory is not available. Consider omitting --track-mem option.", "soft-dirty", 1},
		{"unix-external.dump.log", 1383, "criu/sk-unix.c:874",
			"unix: External socket is used. Consider using --ext-unix-sk option.", "--ext-unix-sk", 2},
		{"unix-half-stream.dump.log", 1383, "criu/sk-unix.c:881",
			"unix: Can't dump half of stream unix connection. name: (null); peer name: /tmp/cl/sockdir/s.sock", "docker.sock", 2},
		{"tty-no-master.dump.log", 790, "criu/tty.c:2399",
			"tty: Unable to find a master for /0", "without -t", 2},
		{"user-rlimit.dump.log", 627, "criu/cr-dump.c:389",
			"Can't get rlimit 0: Operation not permitted", "CAP_SYS_RESOURCE", 3},
		{"restore-no-mnt-mapping.restore.log", 151, "criu/mount.c:3141",
			"mnt: No mapping for 539:(null) mountpoint", "--external mnt[KEY]:SOURCE", 2},
		{"restore-no-netns.restore.log", 343, "criu/net.c:2942",
			"net: Unable to find an external netns: extRootNetNS", "extRootNetNS", 4},
	} {
		t.Run(tc.file, func(t *testing.T) {
			lines := parseLogFile(t, tc.file)
			errs := errorLines(lines)
			if len(errs) != tc.errors {
				t.Errorf("%d error lines, want %d: %+v", len(errs), tc.errors, errs)
			}
			e := &Error{Action: Dump, Err: errors.New("exit status 1"), Lines: lines}
			main, ok := e.mainLine()
			if !ok {
				t.Fatalf("no main error line in %+v", lines)
			}
			if main.Num != tc.num || main.Source != tc.source || main.Message != tc.message {
				t.Errorf("main error = %d %q %q\nwant       %d %q %q", main.Num, main.Source, main.Message, tc.num, tc.source, tc.message)
			}
			if h := Hint(main.Message); !strings.Contains(h, tc.hint) {
				t.Errorf("Hint(%q) = %q, want it to mention %q", main.Message, h, tc.hint)
			}
			if h := Hint(main.Text); !strings.Contains(h, tc.hint) {
				t.Errorf("Hint on the whole line %q = %q, want it to mention %q", main.Text, h, tc.hint)
			}
			// The line just before the error explains what CRIU was doing.
			var before *LogLine
			for i := range lines {
				if lines[i].Num == tc.num-1 {
					before = &lines[i]
				}
			}
			if tc.num > 1 && (before == nil || before.Error) {
				t.Errorf("line %d is not kept as context before the error: %+v", tc.num-1, lines)
			}
		})
	}
}

// A successful dump still logs one "Error" CRIU recovers from; ParseLog
// must not report it.
func TestParseLogSuccessfulDump(t *testing.T) {
	if lines := parseLogFile(t, "container-ok.dump.log"); len(lines) != 0 {
		t.Errorf("ParseLog on a successful dump = %+v, want nothing", lines)
	}
}

// The harmless error must not hide a real one after it, nor be quoted as
// context.
func TestParseLogSkipsHarmless(t *testing.T) {
	for _, l := range parseLogFile(t, "container-no-externals.dump.log") {
		if strings.Contains(l.Text, "RLIMIT_NOFILE") {
			t.Errorf("harmless line reported: %+v", l)
		}
	}
}

func TestParseLogContext(t *testing.T) {
	log := strings.Join([]string{
		"(00.000001) one",
		"(00.000002) two",
		"",
		"(00.000003) three",
		"(00.000004) four",
		"(00.000005) Error (criu/a.c:1): first",
		"(00.000006) five",
		"(00.000007) Error (criu/a.c:2): second",
		"(00.000008) Error (criu/a.c:3): third",
	}, "\n") // no newline at the end
	var got []string
	for _, l := range ParseLog(strings.NewReader(log)) {
		mark := "ctx"
		if l.Error {
			mark = "err"
		}
		got = append(got, mark+" "+l.Message)
	}
	want := []string{"ctx two", "ctx three", "ctx four", "err first", "ctx five", "err second", "err third"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("ParseLog =\n%q\nwant\n%q", got, want)
	}
}

func TestSplitLogLine(t *testing.T) {
	for _, tc := range []struct {
		text           string
		isErr          bool
		source, messag string
	}{
		{"(00.054717) Error (criu/mount.c:753): mnt: x doesn't have a proper root mount", true, "criu/mount.c:753", "mnt: x doesn't have a proper root mount"},
		{"(00.043165)      1: Error (criu/net.c:2942): net: Unable to find an external netns: extRootNetNS", true, "criu/net.c:2942", "net: Unable to find an external netns: extRootNetNS"},
		// criu's stderr has no timestamps
		{"Error (criu/image.c:726): Can't open dir /x: No such file or directory", true, "criu/image.c:726", "Can't open dir /x: No such file or directory"},
		{"pie: 778: Error (criu/pie/parasite.c:10): boom", true, "criu/pie/parasite.c:10", "boom"},
		{"Error: something broke", true, "", "something broke"},
		{"(00.100000) Warn  (compel/arch/x86/src/lib/infect.c:418): Will restore 873 with interrupted system call", false, "", "Warn  (compel/arch/x86/src/lib/infect.c:418): Will restore 873 with interrupted system call"},
		{"(00.100000) Errors are counted below", false, "", "Errors are counted below"},
		{"(00.168753) 20804 fdinfo 2: pos:                0 flags:                1/0", false, "", "20804 fdinfo 2: pos:                0 flags:                1/0"},
		{"", false, "", ""},
	} {
		l := splitLogLine(7, tc.text)
		if l.Error != tc.isErr || l.Source != tc.source || l.Message != tc.messag || l.Num != 7 || l.Text != tc.text {
			t.Errorf("splitLogLine(%q) = %+v\nwant Error=%v Source=%q Message=%q", tc.text, l, tc.isErr, tc.source, tc.messag)
		}
	}
}

func TestParseLogLimits(t *testing.T) {
	if got := ParseLog(strings.NewReader("")); len(got) != 0 {
		t.Errorf("empty log: %+v", got)
	}

	// A line longer than bufio.Scanner's default token limit.
	long := "(00.1) Error (criu/x.c:1): " + strings.Repeat("a", 100_000)
	if got := ParseLog(strings.NewReader(long + "\n")); len(got) != 1 || len(got[0].Message) != 100_000 {
		t.Errorf("long line not read whole: %d lines", len(got))
	}

	many := strings.Repeat("Error (criu/x.c:1): again\n", 1000)
	if got := ParseLog(strings.NewReader(many)); len(got) != maxLines {
		t.Errorf("%d lines from 1000 errors, want the cap %d", len(got), maxLines)
	}

	// A read error keeps what came before it.
	r := io.MultiReader(strings.NewReader("Error (criu/x.c:1): before\n"), iotest.ErrReader(errors.New("disk gone")))
	if got := ParseLog(r); len(got) != 1 || got[0].Message != "before" {
		t.Errorf("after a read error: %+v", got)
	}
}
