#!/usr/bin/env bash
# engines.sh runs the second Docker engine the end-to-end tests use, beside
# the first one (Debian's Engine 20.10, which setup.sh starts):
#
#   scripts/engines.sh up       build once, start, load the local test images
#   scripts/engines.sh down     stop it, its containerd and its shims
#   scripts/engines.sh status   say whether it is up
#
# Engine 29.8 (dockerd and docker-proxy from github.com/moby/moby/v2),
# containerd 2.3 with its runc shim, and runc 1.3 are built from the Go
# module proxy at pinned versions (the module system checks their sums),
# once, into /usr/local/lib/ckpt-engines/29, and rebuilt only when a pinned
# version changes.
#
# The engine cannot touch the first one: it runs in a network namespace of
# its own (/run/netns/ckpt-engine-29; its docker0, iptables rules and
# published ports live there), with its own data-root, exec-root, pidfile,
# daemon.json and managed containerd, and it listens on
#   unix:///run/ckpt-engines/29/docker.sock
# (DOCKER_HOST=unix:///run/ckpt-engines/29/docker.sock docker ps).
# `up` checks that the host's docker0 is the same before and after.
#
# `up` is idempotent, and takes about a second when the engine is up and its
# images are loaded. Logs: /var/log/ckpt-engines/29/.
set -euo pipefail

MOBY_VERSION=v2.0.0-beta.24 # Docker Engine 29.8.0 (its releases/versions.yaml)
DOCKER_VERSION=29.8.0        # what the engine reports (a module build says "library-import")
CONTAINERD_VERSION=v2.3.5
RUNC_VERSION=v1.3.3

ENGINE=29
PREFIX=/usr/local/lib/ckpt-engines/$ENGINE # binaries, runc's build module
BIN=$PREFIX/bin
DATA=/var/lib/ckpt-engines/$ENGINE # data-root, loaded-image records
RUN=/run/ckpt-engines/$ENGINE      # socket, pidfile, exec-root
LOGS=/var/log/ckpt-engines/$ENGINE
NETNS=ckpt-engine-$ENGINE
NETNS_PATH=/run/netns/$NETNS
SOCK=$RUN/docker.sock
PIDFILE=$RUN/docker.pid
CONFIG=$PREFIX/daemon.json
ENGINE_HOST=unix://$SOCK

export PATH=/usr/local/sbin:/usr/local/bin:/usr/local/go/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DEBIAN_FRONTEND=noninteractive
# A plain `docker` here is the first engine; e29 names this one.
unset DOCKER_HOST DOCKER_CONTEXT

step() { printf '== engine %s: %s\n' "$ENGINE" "$*"; }

# die MESSAGE [LOG]: says what failed and shows the end of LOG.
die() {
	printf 'engines: FAILED: engine %s: %s\n' "$ENGINE" "$1" >&2
	if [ -n "${2:-}" ] && [ -s "$2" ]; then
		printf -- '--- last lines of %s:\n' "$2" >&2
		tail -n 25 "$2" >&2
	fi
	exit 1
}

# e29 ARGS...: the docker CLI against this engine.
e29() { DOCKER_HOST=$ENGINE_HOST docker "$@"; }

engine_answers() { timeout 5 env DOCKER_HOST="$ENGINE_HOST" docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }

engine_pid() {
	local pid
	pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
	[ -n "$pid" ] && [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
	echo "$pid"
}

# docker0_state: the first engine's bridge and its addresses as the host sees
# them (not its carrier, which follows the first engine's containers).
# Link-local addresses are left out (scope global only): the kernel adds it whenever the
# first engine's containers bring the bridge up, which says nothing about
# engine 29.
docker0_state() {
	local link
	link=$(ip -o link show docker0 2>/dev/null | grep -o 'link/ether [0-9a-f:]*') || { echo "no docker0"; return; }
	echo "$link $(ip -o addr show docker0 scope global | awk '{print $4}' | sort | tr '\n' ' ')"
}

# --- build ---------------------------------------------------------------------
# built NAME VERSION: the binary is there and was built from VERSION.
built() { [ -x "$BIN/$1" ] && [ "$(cat "$BIN/$1.version" 2>/dev/null)" = "$2" ]; }

# go_install VERSION LOG LDFLAGS PACKAGE...: go install PACKAGE@VERSION into $BIN.
go_install() {
	local version=$1 log=$2 ldflags=$3
	shift 3
	local pkgs=() p
	for p in "$@"; do pkgs+=("$p@$version"); done
	(cd / && GOBIN=$BIN CGO_ENABLED=0 go install -ldflags "$ldflags" "${pkgs[@]}") >"$log" 2>&1
}

build_moby() {
	local v="$MOBY_VERSION $DOCKER_VERSION"
	built dockerd "$v" && built docker-proxy "$v" && return 0
	step "building dockerd and docker-proxy $MOBY_VERSION (a few minutes, log $LOGS/build-moby.log)"
	go_install "$MOBY_VERSION" "$LOGS/build-moby.log" \
		"-X github.com/moby/moby/v2/dockerversion.Version=$DOCKER_VERSION" \
		github.com/moby/moby/v2/cmd/dockerd github.com/moby/moby/v2/cmd/docker-proxy ||
		die "building dockerd $MOBY_VERSION failed" "$LOGS/build-moby.log"
	echo "$v" >"$BIN/dockerd.version"
	echo "$v" >"$BIN/docker-proxy.version"
}

build_containerd() {
	built containerd "$CONTAINERD_VERSION" && built containerd-shim-runc-v2 "$CONTAINERD_VERSION" && return 0
	step "building containerd and containerd-shim-runc-v2 $CONTAINERD_VERSION (log $LOGS/build-containerd.log)"
	go_install "$CONTAINERD_VERSION" "$LOGS/build-containerd.log" "" \
		github.com/containerd/containerd/v2/cmd/containerd \
		github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2 ||
		die "building containerd $CONTAINERD_VERSION failed" "$LOGS/build-containerd.log"
	echo "$CONTAINERD_VERSION" >"$BIN/containerd.version"
	echo "$CONTAINERD_VERSION" >"$BIN/containerd-shim-runc-v2.version"
}

# runc cannot be built with `go install runc@version` (its go.mod has a
# replace directive), so a small module outside the repository requires it
# and builds it, with seccomp (cgo, libseccomp-dev).
build_runc() {
	built runc "$RUNC_VERSION" && return 0
	if ! dpkg-query -W -f='${Status}' libseccomp-dev 2>/dev/null | grep -q 'install ok installed'; then
		step "installing libseccomp-dev (runc's seccomp support)"
		apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 libseccomp-dev \
			>"$LOGS/apt.log" 2>&1 || die "apt-get install libseccomp-dev failed" "$LOGS/apt.log"
	fi
	step "building runc $RUNC_VERSION (log $LOGS/build-runc.log)"
	local mod=$PREFIX/src/runc
	mkdir -p "$mod"
	(
		cd "$mod"
		printf 'module ckpt-engines/runc\n\ngo 1.24\n' >go.mod
		rm -f go.sum
		go get "github.com/opencontainers/runc@$RUNC_VERSION" &&
			CGO_ENABLED=1 go build -trimpath -tags seccomp -o "$BIN/runc" github.com/opencontainers/runc
	) >"$LOGS/build-runc.log" 2>&1 || die "building runc $RUNC_VERSION failed" "$LOGS/build-runc.log"
	echo "$RUNC_VERSION" >"$BIN/runc.version"
}

build() {
	mkdir -p "$BIN" "$LOGS"
	build_moby
	build_containerd
	build_runc
}

# --- start ---------------------------------------------------------------------
# write_config writes daemon.json; it succeeds only when that changed it.
write_config() {
	local tmp=$CONFIG.tmp
	cat >"$tmp" <<-EOF
		{
		  "experimental": true,
		  "hosts": ["$ENGINE_HOST"],
		  "data-root": "$DATA/docker",
		  "exec-root": "$RUN/exec",
		  "pidfile": "$PIDFILE",
		  "runtimes": {"runc-1.3": {"path": "$BIN/runc"}},
		  "default-runtime": "runc-1.3"
		}
	EOF
	if cmp -s "$tmp" "$CONFIG"; then
		rm -f "$tmp"
		return 1
	fi
	mv "$tmp" "$CONFIG"
}

netns_up() {
	if [ ! -e "$NETNS_PATH" ]; then
		step "creating network namespace $NETNS"
		ip netns add "$NETNS" || die "ip netns add $NETNS failed"
	fi
	nsenter --net="$NETNS_PATH" ip link set lo up || die "cannot bring up lo in $NETNS"
}

start() {
	if write_config && engine_pid >/dev/null; then
		step "daemon.json changed: restarting the engine"
		down
	fi
	if engine_answers; then
		return 0
	fi
	engine_pid >/dev/null && die "dockerd (pid $(engine_pid)) runs but does not answer on $SOCK; run '$0 down' and again '$0 up'" "$LOGS/dockerd.log"
	netns_up
	mkdir -p "$RUN" "$DATA"
	step "starting dockerd in network namespace $NETNS (log $LOGS/dockerd.log)"
	# nsenter, not `ip netns exec`: that one mounts a fresh /sys, which hides
	# the cgroup v1 mounts dockerd needs. The built binaries come first on
	# PATH: dockerd starts the first containerd there, and containerd the
	# shim, and dockerd the docker-proxy.
	printf '\n--- %s: %s up\n' "$(date -Is)" "$0" >>"$LOGS/dockerd.log"
	# In a session of its own and with no descriptor but its log: a caller's
	# lock (flock FILE scripts/engines.sh up) would otherwise be held by the
	# daemon for as long as it runs, and a caller's process group killed
	# would take the daemon with it.
	nohup setsid nsenter --net="$NETNS_PATH" env PATH="$BIN:$PATH" \
		"$BIN/dockerd" --config-file "$CONFIG" >>"$LOGS/dockerd.log" 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	local i
	for i in $(seq 1 150); do
		engine_answers && break
		[ -d "/proc/$!" ] || die "dockerd exited while starting" "$LOGS/dockerd.log"
		sleep 0.2
	done
	engine_answers || die "dockerd did not answer on $SOCK within 30 s" "$LOGS/dockerd.log"
}

# load_images: every ckpt-* image of the first engine, copied into this one
# with docker save | docker load, unless the copy there came from the same
# image ID (recorded in $DATA/images, since the containerd image store gives
# the copy an ID of its own).
load_images() {
	local refs ref id rec
	mkdir -p "$DATA/images"
	refs=$(docker image ls --format '{{.Repository}}:{{.Tag}}' --filter 'reference=ckpt-*' | grep -v '<none>' | sort) ||
		die "cannot list the first engine's images (docker image ls)"
	[ -n "$refs" ] || die "the first engine has no ckpt-* images; run scripts/setup.sh first"
	for ref in $refs; do
		id=$(docker image inspect -f '{{.Id}}' "$ref") || die "docker image inspect $ref failed"
		rec=$DATA/images/${ref//[:\/]/_}
		if [ "$(cat "$rec" 2>/dev/null)" = "$id" ] && e29 image inspect "$ref" >/dev/null 2>&1; then
			continue
		fi
		step "loading image $ref (${id:7:12})"
		docker save "$ref" | e29 load >"$LOGS/load.log" 2>&1 ||
			die "docker save $ref | docker load into engine $ENGINE failed" "$LOGS/load.log"
		echo "$id" >"$rec"
	done
}

up() {
	local before after
	before=$(docker0_state)
	build
	start
	load_images
	after=$(docker0_state)
	[ "$before" = "$after" ] || die "the host's docker0 changed while engine $ENGINE started: was '$before', is '$after'"
	step "up: $(e29 version --format 'Docker Engine {{.Server.Version}}, API {{.Server.APIVersion}}'), $ENGINE_HOST"
}

# --- stop ----------------------------------------------------------------------
# own_pids: the processes of this engine's containerd and shims, found by
# this engine's exec-root in their command line (no other process has it).
own_pids() {
	local p
	for p in /proc/[0-9]*; do
		tr '\0' ' ' 2>/dev/null <"$p/cmdline" | grep -qF -- "$RUN/exec/containerd" && echo "${p#/proc/}"
	done
	return 0
}

down() {
	local pid pids i before
	before=$(docker0_state)
	if pid=$(engine_pid); then
		step "stopping dockerd (pid $pid) and its containers"
		kill -TERM "$pid"
		for i in $(seq 1 150); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
		[ -d "/proc/$pid" ] && die "dockerd (pid $pid) did not stop within 30 s" "$LOGS/dockerd.log"
	fi
	pids=$(own_pids)
	if [ -n "$pids" ]; then
		step "stopping leftover containerd and shims: $(echo $pids)"
		kill -TERM $pids 2>/dev/null || true
		sleep 1
		pids=$(own_pids)
		[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
	fi
	if [ -e "$NETNS_PATH" ]; then
		ip netns delete "$NETNS" || die "ip netns delete $NETNS failed"
	fi
	rm -f "$PIDFILE"
	[ "$before" = "$(docker0_state)" ] || die "the host's docker0 changed while engine $ENGINE stopped: was '$before', is '$(docker0_state)'"
	step "down"
}

status() {
	if engine_answers; then
		echo "engine $ENGINE: up, $(e29 version --format 'Docker Engine {{.Server.Version}}, API {{.Server.APIVersion}}'), $ENGINE_HOST, network namespace $NETNS"
	elif pid=$(engine_pid); then
		echo "engine $ENGINE: dockerd runs (pid $pid) but does not answer on $SOCK"
		return 1
	else
		echo "engine $ENGINE: down"
		return 1
	fi
}

[ "$(id -u)" = 0 ] || die "run as root (dockerd and network namespaces need it): sudo $0 ${1:-up}"
mkdir -p "$LOGS" /run/ckpt-engines
cmd=${1:-}
case $cmd in
up | down)
	# One up or down at a time (make test may run beside a hand-run up).
	exec 9>/run/ckpt-engines/$ENGINE.lock
	flock -w 120 9 || die "another engines.sh up or down holds /run/ckpt-engines/$ENGINE.lock for 2 minutes"
	"$cmd"
	;;
status) status ;;
*)
	echo "usage: $0 up|down|status" >&2
	exit 2
	;;
esac
