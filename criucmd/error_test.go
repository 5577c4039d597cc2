package criucmd

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestErrorMessages(t *testing.T) {
	lines := parseLogFile(t, "tcp-established.dump.log")
	e := &Error{
		Action:   Dump,
		Argv:     []string{"/usr/local/sbin/criu", "dump", "-t", "20775", "--external", "mnt[/etc/my hosts]:/etc/hosts", "-o", "dump.log"},
		ExitCode: 1,
		LogPath:  "/var/lib/ckpt/web/work/dump.log",
		Lines:    lines,
		Err:      errors.New("exit status 1"),
	}

	wantOne := "criu dump failed: exit status 1: inet: Connected TCP socket, consider using --tcp-established option. (log: /var/lib/ckpt/web/work/dump.log)"
	if got := e.Error(); got != wantOne {
		t.Errorf("Error() =\n%s\nwant\n%s", got, wantOne)
	}

	x := e.Explain()
	for _, want := range []string{
		"criu dump failed: exit status 1\n",
		">  1156  (00.168791) Error (criu/sk-inet.c:200): inet: Connected TCP socket",
		"   1155  (00.168788) sockets: Searching for socket 0xe5e1 family 10",
		"Hints:\n  - A process has an established TCP connection.",
		"Full log: /var/lib/ckpt/web/work/dump.log\n",
		"Command:  /usr/local/sbin/criu dump -t 20775 --external 'mnt[/etc/my hosts]:/etc/hosts' -o dump.log\n",
	} {
		if !strings.Contains(x, want) {
			t.Errorf("Explain() lacks %q:\n%s", want, x)
		}
	}
	if strings.Contains(x, "RLIMIT_NOFILE") {
		t.Errorf("Explain() quotes the harmless rlimit error:\n%s", x)
	}
}

func TestErrorWithoutLog(t *testing.T) {
	e := &Error{
		Action: Restore,
		Stderr: "Error (criu/image.c:726): Can't open dir /x: No such file or directory\n",
		Err:    errors.New("exit status 1"),
	}
	x := e.Explain()
	if !strings.Contains(x, "criu's output:\n  Error (criu/image.c:726)") {
		t.Errorf("Explain() without log lines should show stderr:\n%s", x)
	}
	if got := e.Error(); got != "criu restore failed: exit status 1" {
		t.Errorf("Error() = %q", got)
	}
}

func TestErrorMainLinePrefersSpecific(t *testing.T) {
	e := &Error{Action: Dump, Err: errors.New("x"), Lines: []LogLine{
		{Num: 1, Error: true, Message: "Dump files (pid: 5) failed with -1"},
		{Num: 2, Error: true, Message: "unix: something unusual"},
		{Num: 3, Error: true, Message: "Dumping FAILED."},
	}}
	if l, _ := e.mainLine(); l.Num != 2 {
		t.Errorf("mainLine = %+v, want the first non-generic error (line 2)", l)
	}
}

func TestErrorUnwrap(t *testing.T) {
	e := &Error{Action: Dump, Err: fmt.Errorf("%w after 1s", ErrTimeout)}
	var err error = e
	if !errors.Is(err, ErrTimeout) {
		t.Errorf("errors.Is(%v, ErrTimeout) = false", err)
	}
	var ce *Error
	if !errors.As(fmt.Errorf("ckpt dump web: %w", err), &ce) || ce != e {
		t.Errorf("errors.As does not find *Error")
	}
}

func TestExplainCapsLines(t *testing.T) {
	var lines []LogLine
	for i := 1; i <= 100; i++ {
		lines = append(lines, LogLine{Num: i, Error: true, Text: fmt.Sprintf("Error (x.c:1): e%d", i)})
	}
	x := (&Error{Action: Dump, Err: errors.New("x"), Lines: lines}).Explain()
	if !strings.Contains(x, "... 60 more lines") || strings.Contains(x, "e41\n") {
		t.Errorf("Explain() does not cap at %d lines:\n%s", maxExplainLines, x)
	}
}

func TestShellJoin(t *testing.T) {
	got := shellJoin([]string{"criu", "dump", "--external", "mnt[/a]:/a", "it's", "-v4"})
	want := `criu dump --external 'mnt[/a]:/a' 'it'\''s' -v4`
	if got != want {
		t.Errorf("shellJoin = %s, want %s", got, want)
	}
}

func TestErrorZeroValue(t *testing.T) {
	e := &Error{Action: Dump}
	if got := e.Error(); got != "criu dump failed" {
		t.Errorf("Error() = %q", got)
	}
	if got := e.Explain(); !strings.HasPrefix(got, "criu dump failed\n") {
		t.Errorf("Explain() = %q", got)
	}
}
