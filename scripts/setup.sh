#!/usr/bin/env bash
# setup.sh installs and starts everything ckpt and its tests need, on a fresh
# Debian 12 machine or again on one that has it all (then in a few seconds):
#   - Debian packages: docker.io, docker-compose (v1, for the compose
#     project testscript), iptables, busybox-static, CRIU's build deps;
#   - CRIU 4.2.1 built from the upstream tarball of Debian's forky source
#     package (bookworm's 3.17 and trixie's 4.1 fail on this kernel), installed
#     as /usr/local/sbin/criu so that ckpt and runc both find it first;
#   - CRIU's Python crit from the same sources, as /usr/local/bin/crit;
#   - a self-test of that criu (a plain process, and one with a TCP connection);
#   - dockerd with {"experimental": true}, started in the background if it does
#     not answer (there is no systemd here), log in /var/log/dockerd.log;
#   - the local images ckpt-busybox and ckpt-apps, and ckpt-debian (redis,
#     nginx, Python, PostgreSQL) made by debootstrap from Debian's packages:
#     no registry is needed.
#   - checkpointctl (from the Go module proxy) and Debian's podman, which the
#     archive tests use to read ckpt's archives and to make podman's.
# Every step says what it does; a failing step prints why and exits non-zero.
set -euo pipefail

CRIU_VERSION=4.2.1
CRIU_SHA256=29ec0ee09e296479fe7048c80980e8ef1d0684d0b0204c2b101dfea19f6725b9
CRIU_SRC=/usr/local/src/ckpt-criu
CRIU_BIN=/usr/local/sbin/criu
STATE=/var/lib/ckpt-setup
REPO=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/local/sbin:/usr/local/bin:/usr/local/go/bin:$PATH
export DEBIAN_FRONTEND=noninteractive

step() { printf '== %s\n' "$*"; }
die() {
	printf 'setup: FAILED: %s\n' "$*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (CRIU and dockerd need it): sudo $0"
mkdir -p "$STATE"

# --- Debian packages ---------------------------------------------------------
PKGS=(docker.io docker-compose iptables busybox-static ca-certificates zstd podman
	build-essential pkg-config python3 python3-protobuf time
	libprotobuf-dev libprotobuf-c-dev protobuf-c-compiler protobuf-compiler
	libnl-3-dev libnet1-dev libcap-dev libbsd-dev libgnutls28-dev uuid-dev libnftables-dev)
missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	step "installing Debian packages: ${missing[*]}"
	apt-get update -q >/dev/null || die "apt-get update failed"
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/tmp/ckpt-setup-apt.log 2>&1 ||
		die "apt-get install failed; see /tmp/ckpt-setup-apt.log"
else
	step "Debian packages: all there"
fi

# --- CRIU --------------------------------------------------------------------
criu_ok() {
	command -v criu >/dev/null || return 1
	[ "$(command -v criu)" = "$CRIU_BIN" ] || return 1
	local v
	v=$(criu --version 2>/dev/null | sed -n 's/^Version: *//p')
	[ "$(printf '%s\n%s\n' 4.2 "$v" | sort -V | head -1)" = 4.2 ] || return 1
	timeout 60 criu check >/dev/null 2>&1
}

build_criu() {
	step "building CRIU $CRIU_VERSION from Debian's forky source package"
	cat >/etc/apt/sources.list.d/ckpt-forky-src.sources <<-EOF
		Types: deb-src
		URIs: http://deb.debian.org/debian
		Suites: forky
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	apt-get update -q >/dev/null || die "apt-get update (forky deb-src) failed"
	mkdir -p "$CRIU_SRC"
	cd "$CRIU_SRC"
	local tarball=criu_${CRIU_VERSION}.orig.tar.xz uri
	if ! echo "$CRIU_SHA256  $tarball" | sha256sum -c --quiet >/dev/null 2>&1; then
		# The debian.tar.xz of that source package answers 404, so take the
		# upstream tarball's address from apt rather than 'apt-get source'.
		uri=$(apt-get source --print-uris "criu/forky" 2>/dev/null | grep -o "'[^']*/$tarball'" | tr -d "'") ||
			die "no $tarball in Debian's forky sources (apt-get source --print-uris criu/forky)"
		[ -n "$uri" ] || die "no $tarball in Debian's forky sources"
		/usr/lib/apt/apt-helper download-file "$uri" "$tarball" "SHA256:$CRIU_SHA256" >/dev/null 2>&1 ||
			die "download of $uri failed"
		echo "$CRIU_SHA256  $tarball" | sha256sum -c --quiet || die "$tarball: SHA-256 mismatch"
	fi
	rm -rf "criu-$CRIU_VERSION"
	tar xf "$tarball"
	make -C "criu-$CRIU_VERSION" -j"$(nproc)" criu >"$CRIU_SRC/build.log" 2>&1 ||
		die "CRIU build failed; see $CRIU_SRC/build.log"
	install -m 0755 "criu-$CRIU_VERSION/criu/criu" "$CRIU_BIN"
	hash -r
	cd "$REPO"
}

if criu_ok; then
	step "criu: $(criu --version | head -1) at $CRIU_BIN, criu check passes"
else
	build_criu
	criu_ok || die "criu $CRIU_VERSION was built but 'criu check' fails: $(criu check 2>&1 | tail -5)"
	step "criu: $(criu --version | head -1) installed at $CRIU_BIN"
fi

# --- crit ----------------------------------------------------------------------
# CRIU's own Python crit, from the same source tree, for the test that
# compares `ckpt images decode` with it (testscripts/images_crit.txtar) and
# for bench/: its protobuf modules are generated once, and /usr/local/bin/crit
# runs it with Debian's python3-protobuf.
CRIT_BIN=/usr/local/bin/crit
crit_src=$CRIU_SRC/criu-$CRIU_VERSION
crit_wrapper="#!/bin/sh
# crit of CRIU $CRIU_VERSION, written by ckpt's scripts/setup.sh
PYTHONPATH=$crit_src/lib:$crit_src/crit exec /usr/bin/python3 -m crit \"\$@\""
if [ ! -f "$crit_src/crit/crit/version.py" ] || [ ! -f "$crit_src/lib/pycriu/images/pstree_pb2.py" ]; then
	step "crit: generating CRIU's Python modules (make lib crit)"
	make -C "$crit_src" PYTHON=/usr/bin/python3 lib crit >"$CRIU_SRC/crit-build.log" 2>&1 ||
		die "generating crit failed; see $CRIU_SRC/crit-build.log"
fi
if [ "$(cat "$CRIT_BIN" 2>/dev/null)" != "$crit_wrapper" ]; then
	printf '%s\n' "$crit_wrapper" >"$CRIT_BIN"
	chmod 0755 "$CRIT_BIN"
fi
"$CRIT_BIN" --version >/dev/null 2>&1 || die "$CRIT_BIN does not run: $("$CRIT_BIN" --version 2>&1 | tail -3)"
step "crit: $("$CRIT_BIN" --version 2>&1 | head -1) at $CRIT_BIN"

# --- CRIU self-test ------------------------------------------------------------
# A throwaway process, then a process tree holding both ends of a TCP
# connection, are dumped and restored for real. The result is remembered for
# this criu binary and kernel so the next run is fast.
selftest_key="$(sha256sum "$CRIU_BIN" | cut -c1-16)-$(uname -r)"
if [ "$(cat "$STATE/criu-selftest" 2>/dev/null)" = "$selftest_key" ]; then
	step "criu self-test: passed before for this criu and kernel"
else
	step "criu self-test: dump and restore a process, and one with a TCP connection"
	"$REPO/scripts/criu-selftest.sh" || die "criu self-test failed (logs above)"
	echo "$selftest_key" >"$STATE/criu-selftest"
fi

# --- dockerd -------------------------------------------------------------------
step "docker: experimental mode in /etc/docker/daemon.json"
mkdir -p /etc/docker
changed=$(/usr/bin/python3 - <<-'EOF'
	import json, os
	p = "/etc/docker/daemon.json"
	cfg = {}
	if os.path.exists(p) and os.path.getsize(p) > 0:
	    with open(p) as f:
	        cfg = json.load(f)
	if cfg.get("experimental") is True:
	    print("no")
	else:
	    cfg["experimental"] = True
	    with open(p + ".tmp", "w") as f:
	        json.dump(cfg, f, indent=2)
	        f.write("\n")
	    os.replace(p + ".tmp", p)
	    print("yes")
EOF
) || die "could not merge {\"experimental\": true} into /etc/docker/daemon.json"

docker_up() { timeout 10 docker info --format '{{.ServerVersion}}' >/dev/null 2>&1; }
if docker_up && [ "$changed" = yes ]; then
	step "docker: restarting dockerd to turn on experimental mode"
	pkill -x dockerd || true
	for _ in $(seq 1 50); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done
fi
if ! docker_up; then
	step "docker: starting dockerd (log: /var/log/dockerd.log)"
	# Its own session, no inherited descriptor (a caller's lock): see engines.sh.
	nohup setsid dockerd >>/var/log/dockerd.log 2>&1 </dev/null 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&- &
	for _ in $(seq 1 150); do docker_up && break; sleep 0.2; done
	docker_up || die "dockerd did not answer within 30 s; see /var/log/dockerd.log: $(tail -5 /var/log/dockerd.log)"
fi
[ "$(docker info --format '{{.ExperimentalBuild}}')" = true ] ||
	die "dockerd runs without experimental mode; restart it (pkill dockerd) and run setup again"
step "docker: $(docker info --format 'engine {{.ServerVersion}}, experimental {{.ExperimentalBuild}}')"

# --- local images --------------------------------------------------------------
"$REPO/scripts/images.sh" || die "building the local test images failed"
"$REPO/scripts/debian-images.sh" || die "building the Debian server image ckpt-debian failed"

# --- checkpointctl -------------------------------------------------------------
# v1.6.0: v1.7.0's go-criu/v8 v8.5.0 is not on the Go module proxy.
CHECKPOINTCTL_VERSION=v1.6.0
checkpointctl_version() { go version -m /usr/local/bin/checkpointctl 2>/dev/null | awk '$1 == "mod" {print $3}'; }
if [ "$(checkpointctl_version)" != "$CHECKPOINTCTL_VERSION" ]; then
	step "checkpointctl: installing $CHECKPOINTCTL_VERSION into /usr/local/bin"
	GOBIN=/usr/local/bin GOFLAGS= go install "github.com/checkpoint-restore/checkpointctl@$CHECKPOINTCTL_VERSION" \
		>/tmp/ckpt-setup-checkpointctl.log 2>&1 || die "go install checkpointctl failed; see /tmp/ckpt-setup-checkpointctl.log"
fi
[ "$(checkpointctl_version)" = "$CHECKPOINTCTL_VERSION" ] || die "checkpointctl $CHECKPOINTCTL_VERSION is not at /usr/local/bin/checkpointctl"
step "checkpointctl: $CHECKPOINTCTL_VERSION at /usr/local/bin/checkpointctl"

# --- podman --------------------------------------------------------------------
# Its containers get the test image from dockerd (no registry); Debian's
# podman 4.3 runs them with --ulimit nofile=1024:1024 --ulimit nproc=1024:1024.
if ! podman image exists ckpt-busybox 2>/dev/null; then
	step "podman: loading ckpt-busybox from dockerd"
	docker save ckpt-busybox | podman load -q >/dev/null || die "podman load of ckpt-busybox failed"
fi
step "podman: $(podman --version)"
step "setup done"
