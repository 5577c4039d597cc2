package criucmd

import (
	"strings"
	"testing"
)

// TestHintQuoted covers errors this machine cannot produce; each line is
// quoted from where it was reported, or built from CRIU's format string.
func TestHintQuoted(t *testing.T) {
	for _, tc := range []struct {
		from, line, want string
	}{
		{"criu issue #2829 (criu < 4.2 on Linux 6.17)",
			"Error (criu/sockets.c:628): sockets: Can't get 1:16 opt: Operation not supported", "scripts/setup.sh"},
		{"criu issue #2829",
			"Error (criu/sockets.c:628): sockets: Can't get 1:34 opt: Operation not supported", "Upgrade CRIU to 4.2"},
		{"criu issue #2718",
			"Error (criu/sockets.c:640): sockets: Can't get 1:16(34) opt: Operation not supported", "Upgrade CRIU to 4.2"},
		{"criu/seize.c format",
			"(10.012345) Error (criu/seize.c:635): Unable to freeze cgroup /sys/fs/cgroup/freezer/docker/ab (100 x 100ms attempts, timeout: 10s)", "uninterruptible sleep"},
		{"criu/cr-dump.c format",
			"(10.000001) Error (criu/cr-dump.c:1808): Timeout reached. Try to interrupt: 0", "timed out"},
		{"criu/mount.c format",
			"Error (criu/mount.c:1092): mnt: Mount 412 ./data (master_id: 3 shared_id: 0) has unreachable sharing. Try --enable-external-masters.", "ckpt mounts explain"},
		{"criu issue #166",
			"(00.022917) Error (files-reg.c:1141): Can't lookup mount=22 for fd=0 path=/dev/pts/2", "ckpt mounts explain"},
		{"criu issue #1873",
			"Error (criu/files.c:532): Can't dump file 17 of that type [20660] (unknown anon_inode:[io_uring])", "/proc/PID/fd"},
		{"criu stderr for a missing -D",
			"Error (criu/crtools.c:259): Couldn't open image dir /var/lib/ckpt/x", "images directory"},
		{"generic kernel feature",
			"Error (criu/kerndat.c:1): Kernel doesn't support PTRACE_O_SUSPEND_SECCOMP", "criu check"},
	} {
		if got := Hint(tc.line); !strings.Contains(got, tc.want) {
			t.Errorf("%s: Hint(%q) = %q, want it to mention %q", tc.from, tc.line, got, tc.want)
		}
	}
}

func TestHintUnknown(t *testing.T) {
	for _, line := range []string{
		"",
		"Error (criu/cr-dump.c:1975): Dumping FAILED.",
		"(00.1) Dumping pstree (pid: 16949)",
	} {
		if got := Hint(line); got != "" {
			t.Errorf("Hint(%q) = %q, want none", line, got)
		}
	}
}

func TestHintsDedup(t *testing.T) {
	lines := []LogLine{
		{Num: 1, Error: true, Message: "mnt: 1:./a doesn't have a proper root mount"},
		{Num: 2, Error: false, Message: "context: Connected TCP socket"}, // context is not advised on
		{Num: 3, Error: true, Message: "mnt: 2:./b doesn't have a proper root mount"},
		{Num: 4, Error: true, Message: "inet: Connected TCP socket, consider using --tcp-established option."},
		{Num: 5, Error: true, Message: "Dumping FAILED."},
	}
	got := Hints(lines)
	if len(got) != 2 || got[0] != mountsHint || !strings.Contains(got[1], "--tcp-established") {
		t.Errorf("Hints = %q, want the mounts hint then the TCP hint", got)
	}
}

func TestHintMPTCP(t *testing.T) {
	// From a real dump of a Go 1.26 TCP server on this machine.
	line := "(00.051846) Error (criu/sk-inet.c:176): inet: Unsupported proto 262 for socket 18aa4"
	if h := Hint(line); !strings.Contains(h, "GODEBUG=multipathtcp=0") {
		t.Errorf("Hint(%q) = %q, want the MPTCP advice", line, h)
	}
}
