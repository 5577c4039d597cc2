#!/usr/bin/env bash
# criu-selftest.sh dumps and restores two throwaway process trees with the
# criu on PATH: a plain loop, and a pair of busybox nc holding an established
# TCP connection on loopback (criu < 4.2 fails that one on kernels >= 6.16:
# "Can't get 1:16 opt"). It prints CRIU's log and exits 1 when either fails.
set -uo pipefail

work=$(mktemp -d /tmp/ckpt-criu-selftest.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -9 -- "-$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

fail() {
	echo "criu self-test: $1 failed; last lines of $2:" >&2
	tail -25 "$2" >&2 || true
	exit 1
}

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# start NAME COMMAND: runs COMMAND as the leader of a new session and
# group, handed to init (so no shell job reports its death), and sets
# $started to its pid.
start() {
	(setsid sh -c "$2" </dev/null >"$work/$1.out" 2>&1 & echo $! >"$work/$1.pid")
	started=$(cat "$work/$1.pid")
	pids+=("$started")
	sleep 0.5
	alive "$started" || { echo "criu self-test: could not start $1" >&2; exit 1; }
}

# roundtrip NAME PID [criu options]: dump PID's tree, restore it detached,
# check the restored tree is alive.
roundtrip() {
	local name=$1 pid=$2
	shift 2
	mkdir -p "$work/$name"
	timeout 60 criu dump -t "$pid" -D "$work/$name" -o dump.log -v4 "$@" ||
		fail "dump of $name" "$work/$name/dump.log"
	alive "$pid" && fail "dump of $name (process still running after a stop-mode dump)" "$work/$name/dump.log"
	# The killed tree's other members are reaped by init a moment later; until
	# then the session's pid is taken and the restore would fail with EEXIST.
	for _ in $(seq 1 50); do
		ps -eo sid= | grep -qw "$pid" || break
		sleep 0.1
	done
	timeout 60 criu restore -D "$work/$name" -o restore.log -v4 --restore-detached --pidfile "$work/$name/pid" "$@" ||
		fail "restore of $name" "$work/$name/restore.log"
	local rpid
	rpid=$(cat "$work/$name/pid")
	pids+=("$rpid")
	sleep 0.5
	alive "$rpid" || fail "restored $name is not running" "$work/$name/restore.log"
	echo "criu self-test: $name dumped and restored (pid $rpid)"
}

start loop 'i=0; while :; do i=$((i+1)); sleep 0.1; done'
roundtrip loop "$started"

port=$((20000 + RANDOM % 20000))
start tcp "busybox nc -l -p $port -e cat & sleep 0.3; (while :; do echo ping; sleep 0.2; done) | busybox nc 127.0.0.1 $port"
roundtrip tcp "$started" --tcp-established

# The restored connection still carries data: the echoed pings go on.
before=$(wc -l <"$work/tcp.out")
sleep 1
after=$(wc -l <"$work/tcp.out")
if [ "$after" -le "$before" ]; then
	echo "criu self-test: the restored TCP connection carries no data ($before lines before, $after after)" >&2
	exit 1
fi
echo "criu self-test: the restored TCP connection carries data ($before -> $after lines)"
