package criucmd

import (
	"regexp"
	"sync"
)

// lazyRE returns a function that compiles expr on its first call and then
// returns the same *regexp.Regexp. Compiling at package init would cost
// every ckpt run (even `ckpt --help`) the compilation of regexps that only
// the dump and restore error paths use.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// hintRule pairs a CRIU error message with advice. Rules are tried in
// order and the first match wins, so specific rules come before general
// ones (a "Can't get 1:16 opt: Operation not supported" line is about the
// CRIU version, not a missing kernel feature).
type hintRule struct {
	re   func() *regexp.Regexp
	hint string
}

// mountsHint is shared by the dump-side mount errors.
const mountsHint = "A mount in the container comes from outside its root filesystem " +
	"(a bind mount, volume, /etc/hosts, a cgroup) and was not declared external to CRIU. " +
	"Run `ckpt mounts explain <container>` to see each mount and whether ckpt marks it external."

// RlimitFix is what to do when CRIU cannot read the rlimits of a process
// of another user; preflight's refusal before a dump ends with it too.
const RlimitFix = "Fix: run ckpt with CAP_SYS_RESOURCE (root on an ordinary host has it; a VM, sandbox " +
	"or container that drops it from root must grant it back); `ckpt check` says whether it is held. " +
	"Or, where the software allows it, run the container's processes as root (docker run without --user)."

// RlimitHint explains why a process of another user cannot be dumped
// without CAP_SYS_RESOURCE.
const RlimitHint = "A process in the container runs as another user than ckpt (docker run --user, " +
	"or a server that drops to its own user, like nginx's workers or PostgreSQL). CRIU reads each " +
	"process's resource limits with prlimit(2), which the kernel allows on another user's process only " +
	"to a caller holding CAP_SYS_RESOURCE, and ckpt runs without it. " + RlimitFix

var hintRules = []hintRule{
	{
		lazyRE(`Can't get 1:(16|34)(\(\d+\))? opt`),
		"CRIU older than 4.2 cannot dump sockets on Linux 6.16 and later " +
			"(SO_PASSCRED/SO_PASSSEC became unix-only). Upgrade CRIU to 4.2 or newer with scripts/setup.sh.",
	},
	{lazyRE(`doesn't have a proper root mount`), mountsHint},
	{lazyRE(`has unreachable sharing`), mountsHint},
	{
		lazyRE(`Can't lookup mount=\d+ for fd=\d+`),
		"A process has a file open on a mount CRIU cannot see from the container's root. " +
			"Run `ckpt mounts explain <container>` and make sure that mount is marked external.",
	},
	{
		lazyRE(`No mapping for \d+:.* mountpoint`),
		"The images list an external mount, but restore was not told what to bind there " +
			"(--external mnt[KEY]:SOURCE). Restore with the same external mounts the dump used; " +
			"`ckpt mounts explain <container>` lists them.",
	},
	{
		lazyRE(`Unable to find an external netns`),
		"The container was dumped with its network namespace as external (extRootNetNS), " +
			"and restore was not given one: it needs --inherit-fd fd[N]:extRootNetNS with fd N " +
			"open on the target network namespace (/proc/PID/ns/net).",
	},
	{
		lazyRE(`Connected TCP socket`),
		"A process has an established TCP connection. Retry with --tcp-established to " +
			"checkpoint it (the peer must still be there at restore time), or close the connection first.",
	},
	{
		lazyRE(`is not a session leader`),
		"The root of the dumped tree is not a session leader: it was started from a shell " +
			"or shares a terminal with its parent. Retry with --shell-job, or dump the container's " +
			"init process (its PID as docker reports it) instead of a child.",
	},
	{
		lazyRE(`tty: Unable to find a master`),
		"The container has a terminal (started with -t); its pty master is held outside the " +
			"container by the shim. Checkpoint containers started without -t, or declare the tty " +
			"external (--external tty[RDEV:DEV]).",
	},
	{
		lazyRE(`External socket is used`),
		"A unix socket in the container is connected to a process outside it. Retry with " +
			"--ext-unix-sk; if the socket is a stream, see the next error for what remains.",
	},
	{
		lazyRE(`Can't dump half of stream unix connection`),
		"A process holds one end of a stream unix socket whose other end is outside the " +
			"container (e.g. a bind-mounted /var/run/docker.sock or a host daemon's socket). " +
			"CRIU cannot checkpoint half a stream connection: close it before dumping.",
	},
	{
		lazyRE(`Can't get rlimit \d+: Operation not permitted`),
		RlimitHint,
	},
	{
		lazyRE(`Tracking memory is not available`),
		"This kernel has no soft-dirty memory tracking (`criu check --feature mem_dirty_track` fails), " +
			"so pre-dump and --track-mem cannot work here. Take a full dump without them.",
	},
	{
		lazyRE(`Unable to freeze cgroup|Timeout reached|[Tt]imed? ?out.*freez|freez.*[Tt]imed? ?out`),
		"Freezing the container's processes timed out. A process may be stuck in " +
			"uninterruptible sleep (state D in `ps -o pid,stat,wchan`, e.g. on NFS or FUSE I/O); " +
			"wait for it to finish its I/O and retry. Check that the container's freezer.state is THAWED afterwards.",
	},
	{
		lazyRE(`Can't dump file \d+ of that type`),
		"A process holds a file descriptor of a kind CRIU cannot checkpoint; the line names " +
			"the fd, see /proc/PID/fd/FD for what it is and close it before dumping.",
	},
	{
		lazyRE(`Couldn't open image dir|Can't open dir .*: No such file`),
		"The images directory does not exist or cannot be read: check the path given for the checkpoint.",
	},
	{
		lazyRE(`Unsupported proto 262 for socket`),
		"A process holds a Multipath TCP socket (protocol 262), which CRIU cannot checkpoint. " +
			"Programs built with Go 1.24 or newer listen with MPTCP by default where the kernel has it: " +
			"run them with GODEBUG=multipathtcp=0, or turn MPTCP off (sysctl net.mptcp.enabled=0).",
	},
	{
		lazyRE(`[Nn]ot supported|doesn't support|isn't supported|unsupported|Function not implemented`),
		"The kernel lacks a feature CRIU needs for this. Run `criu check --extra` " +
			"(or `ckpt check`) to see which features are missing.",
	},
}

// Hint returns advice for one CRIU log line (or just its message), or ""
// when the line is not one ckpt knows how to explain.
func Hint(line string) string {
	for _, r := range hintRules {
		if r.re().MatchString(line) {
			return r.hint
		}
	}
	return ""
}

// Hints returns the distinct hints for the error lines among lines, in the
// order their errors appear.
func Hints(lines []LogLine) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range errorLines(lines) {
		h := Hint(l.Message)
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}
