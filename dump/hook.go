package dump

// HookPath is where ckpt installs hookScript, the action script it gives
// CRIU (--action-script): a file CRIU executes at every stage of a dump.
const HookPath = "/run/ckpt-criu-hook"

// hookScript freezes the dumped tree's cgroup v1 freezer at CRIU's
// pre-dump stage; every other stage it leaves at once. Why: CRIU freezes
// through the freezer cgroup, and when the cgroup is still FREEZING at its
// first look it sleeps a fixed 100 ms before it looks again, so nearly
// every dump of a small container spent 100 ms frozen doing nothing (the
// dump log showed "freezer.state=FREEZING", then "FROZEN" 100 ms later).
// Frozen just before CRIU looks, the cgroup is found FROZEN and CRIU goes
// on at once. CRIU puts a cgroup it found frozen back to frozen when it is
// done, so the dump thaws it when criu exits, whatever happened (as
// containerd resumes the container it paused around runc's checkpoint).
// The tree's cgroup comes from CRIU's CRTOOLS_INIT_PID. A shell script,
// not ckpt itself: CRIU runs it at every stage, some while the tree is
// frozen, and sh starts in a millisecond. A freeze the kernel has not
// finished after 20000 looks is left to CRIU.
const hookScript = `#!/bin/sh
# Installed by ckpt: CRIU's action script for ckpt's dumps (see ckpt's dump/hook.go).
[ "$CRTOOLS_SCRIPT_ACTION" = pre-dump ] || exit 0
state=
while IFS=: read -r _ ctl path; do
	case ",$ctl," in *,freezer,*) state=/sys/fs/cgroup/freezer$path/freezer.state ;; esac
done < "/proc/$CRTOOLS_INIT_PID/cgroup"
[ -n "$state" ] && [ -w "$state" ] || exit 0
echo FROZEN > "$state" || exit 0
i=0
until read -r s < "$state" && [ "$s" = FROZEN ]; do
	i=$((i + 1))
	[ $i -lt 20000 ] || exit 0
done
`
