package criucmd

import (
	"fmt"
	"path/filepath"
	"time"
)

// Action is the criu command to run.
type Action string

// The criu commands ckpt uses.
const (
	// Dump checkpoints a process tree into ImagesDir.
	Dump Action = "dump"
	// PreDump copies memory while the tree keeps running, so that a later
	// Dump with PrevImagesDir has less to write while the tree is frozen.
	PreDump Action = "pre-dump"
	// Restore names, in an Error, a restore that runc ran with CRIU for
	// the engine. Args builds no restore argv: ckpt restores through the
	// engine.
	Restore Action = "restore"
)

// checkAction returns an error wrapping ErrUnknownAction unless a is an
// action Args builds an argv for.
func checkAction(a Action) error {
	switch a {
	case Dump, PreDump:
		return nil
	default:
		return fmt.Errorf("%w %q (want %q or %q)", ErrUnknownAction, a, Dump, PreDump)
	}
}

// DefaultLogLevel is CRIU's most verbose level, the one runc uses: a failed
// dump is only diagnosable with the debug lines around the error.
const DefaultLogLevel = 4

// DefaultTimeout bounds a criu run when Options.Timeout is zero.
const DefaultTimeout = 10 * time.Minute

// DumpFlags are what `ckpt dump` lets a user choose of criu's behaviour.
// Their JSON keys are container.json's.
type DumpFlags struct {
	// LeaveRunning keeps the tree running after a dump (--leave-running).
	// Dump and pre-dump only.
	LeaveRunning bool `json:"leave_running"`
	// TCPEstablished checkpoints and restores established TCP connections
	// (--tcp-established).
	TCPEstablished bool `json:"tcp_established"`
	// FileLocks dumps and restores file locks (--file-locks).
	FileLocks bool `json:"file_locks"`
}

// Options describes one criu invocation. It is plain data: Args turns it
// into argv and Run executes it. Fields that do not apply to Action must be
// left at their zero value; Args rejects them instead of silently dropping
// them.
type Options struct {
	// Action is the criu command: Dump or PreDump.
	Action Action
	// PID is the root of the process tree to dump (-t). Dump and pre-dump
	// only; for a container this is its init process as seen from the host.
	PID int
	// ImagesDir is where images are written or read (-D). Absolute.
	ImagesDir string
	// WorkDir is where criu writes its log and pidfile (-W). Absolute;
	// empty means criu uses ImagesDir.
	WorkDir string
	// PrevImagesDir is the images of an earlier pre-dump
	// (--prev-images-dir). CRIU resolves a relative path against
	// ImagesDir, e.g. "../pre1". Dump and pre-dump only.
	PrevImagesDir string
	// Root is the container's root filesystem (--root): the merged overlay
	// directory on dump, a mount point holding the rootfs on restore.
	// Absolute; empty means the host's /.
	Root string
	// ManageCgroups makes criu save and restore the tasks' cgroups
	// (--manage-cgroups).
	ManageCgroups bool
	// ManageCgroupsMode is one of "", "soft", "full", "strict", "ignore"
	// (--manage-cgroups=MODE); "" keeps CRIU's default (soft). These are
	// the modes runc accepts. Requires ManageCgroups.
	ManageCgroupsMode string
	// FreezeCgroup is the freezer cgroup directory of the container
	// (--freeze-cgroup). criu then freezes the tree through the cgroup
	// rather than with ptrace, as runc does. Absolute; dump and pre-dump only.
	FreezeCgroup string
	// TrackMem turns on the kernel's soft-dirty memory tracking
	// (--track-mem) so that a later dump writes only changed pages. Needs
	// CONFIG_MEM_SOFT_DIRTY. Dump and pre-dump only.
	TrackMem bool
	// AutoDedup punches pages already present in PrevImagesDir out of the
	// parent images on dump, and out of the images as they are restored
	// (--auto-dedup).
	AutoDedup bool
	// DumpFlags are the choices a user makes for a dump: --leave-running,
	// --tcp-established and --file-locks. ckpt carries them as one value
	// from the command line to criu and into container.json.
	DumpFlags
	// ShellJob allows a tree whose root is not a session leader, or that
	// uses a terminal inherited from outside (--shell-job).
	ShellJob bool
	// ExtUnixSk allows unix sockets whose peer is outside the tree
	// (--ext-unix-sk).
	ExtUnixSk bool
	// TCPSkipInFlight ignores half-open incoming TCP connections
	// (--skip-in-flight). Dump and pre-dump only.
	TCPSkipInFlight bool
	// TCPClose dumps established connections without their state and
	// restores them closed (--tcp-close). Excludes TCPEstablished.
	TCPClose bool
	// NetworkLock is how criu keeps packets out of the network namespace
	// while it dumps (--network-lock): NetworkLockDefault leaves CRIU's
	// default (iptables), NetworkLockSkip takes no lock, which is safe
	// only for a tree with no TCP connection to repair. Dump only.
	NetworkLock NetworkLock
	// LinkRemap lets criu dump files that are open but unlinked by linking
	// them back (--link-remap). Dump and pre-dump only.
	LinkRemap bool
	// EmptyNS lists namespaces criu creates but does not fill
	// (--empty-ns). CRIU accepts only "net".
	EmptyNS []string
	// External lists resources outside the tree, already formatted for
	// --external: "mnt[/data]:/data", "tty[88000:3d]",
	// "net[4026532000]:extRootNetNS". Kept in the given order.
	External []string
	// ActionScript is a program CRIU runs at each stage of its work
	// (--action-script), with the stage's name in CRTOOLS_SCRIPT_ACTION
	// ("pre-dump" once it has started and before it seizes the tree,
	// "post-dump", "network-lock", ...). Absolute.
	ActionScript string
	// LogLevel is criu's verbosity, 1 to 4 (-vN); 0 means DefaultLogLevel.
	LogLevel int
	// LogFile is criu's log (-o), relative to WorkDir (or ImagesDir)
	// unless absolute; empty means "<action>.log", e.g. "dump.log".
	LogFile string

	// Timeout bounds the run; zero means DefaultTimeout. Not part of argv.
	Timeout time.Duration
	// NetNS is a network namespace file (/proc/<pid>/ns/net) criu is
	// started in; empty runs it where ckpt runs. Not part of argv: a tree
	// that shares criu's namespace is locked per connection, not whole.
	NetNS string
	// Env is added to criu's environment, which its action script
	// inherits ("NAME=value"). Not part of argv.
	Env []string
}

// NetworkLock is a --network-lock method.
type NetworkLock string

// The network lock methods CRIU 4 knows.
const (
	NetworkLockDefault  NetworkLock = ""
	NetworkLockIptables NetworkLock = "iptables"
	NetworkLockNftables NetworkLock = "nftables"
	NetworkLockSkip     NetworkLock = "skip"
)

// checkNetworkLock returns an error for a method CRIU does not know.
func checkNetworkLock(l NetworkLock) error {
	switch l {
	case NetworkLockDefault, NetworkLockIptables, NetworkLockNftables, NetworkLockSkip:
		return nil
	default:
		return fmt.Errorf("NetworkLock %q: want iptables, nftables or skip", string(l))
	}
}

// logFile returns the log name criu is given, defaulting to "<action>.log".
func (o Options) logFile() string {
	if o.LogFile != "" {
		return o.LogFile
	}
	return string(o.Action) + ".log"
}

// LogPath returns where criu writes its log for these options: LogFile when
// absolute, else LogFile inside WorkDir, or inside ImagesDir when WorkDir is
// empty (criu's own rule).
func (o Options) LogPath() string {
	f := o.logFile()
	if filepath.IsAbs(f) {
		return f
	}
	dir := o.WorkDir
	if dir == "" {
		dir = o.ImagesDir
	}
	return filepath.Join(dir, f)
}

// checkCgroupMode validates a --manage-cgroups mode. It accepts the modes
// runc accepts, so that a mode which works with `runc checkpoint` works here.
func checkCgroupMode(mode string) error {
	switch mode {
	case "", "soft", "full", "strict", "ignore":
		return nil
	default:
		return fmt.Errorf("ManageCgroupsMode %q: want one of soft, full, strict, ignore", mode)
	}
}
