#!/usr/bin/env bash
# debian-images.sh builds ckpt-debian, the image of real server software the
# end-to-end tests checkpoint, from Debian's own packages (no registry):
# `debootstrap --variant=minbase` of bookworm with redis-server, nginx-light,
# python3 and postgresql (with their clients redis-cli and psql), from the
# Debian mirror apt already uses, turned into an image by `docker import`.
# The servers are installed as Debian ships them; each test starts the one it
# needs with its own command line.
#
# The image carries a label with the hash of this script (which holds the
# package list) and is rebuilt only when that changes, so a second run is a
# no-op of a fraction of a second. A lock keeps two set-ups from building it
# at once.
set -euo pipefail

IMAGE=ckpt-debian
SUITE=bookworm
PKGS=(redis-server nginx-light python3 postgresql)
STATE=/var/lib/ckpt-setup
CACHE=/var/cache/ckpt-debootstrap # the downloaded .debs, kept for a rebuild
export DEBIAN_FRONTEND=noninteractive

die() {
	printf 'debian-images: FAILED: %s\n' "$*" >&2
	exit 1
}

label() { docker image inspect -f '{{index .Config.Labels "ckpt.hash"}}' "$1" 2>/dev/null || true; }

hash=$(sha256sum <"$0" | cut -c1-16)
if [ "$(label "$IMAGE")" = "$hash" ]; then
	echo "== image $IMAGE: up to date"
	exit 0
fi

mkdir -p "$STATE"
exec 9>"$STATE/debian-images.lock"
flock 9
if [ "$(label "$IMAGE")" = "$hash" ]; then
	echo "== image $IMAGE: built meanwhile by another set-up"
	exit 0
fi

if ! command -v debootstrap >/dev/null; then
	echo "== installing debootstrap"
	apt-get install -y -q --no-install-recommends debootstrap >/tmp/ckpt-setup-debootstrap.log 2>&1 ||
		{ apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends debootstrap >>/tmp/ckpt-setup-debootstrap.log 2>&1; } ||
		die "apt-get install debootstrap failed; see /tmp/ckpt-setup-debootstrap.log"
fi

# mirror: the first Debian archive (not the security one) in apt's sources,
# one-line or deb822.
mirror() {
	local m
	m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -v '^[[:space:]]*#' | grep -oE 'https?://[^[:space:]]+/debian/?([[:space:]]|$)' |
		head -1 | tr -d '[:space:]') || true
	echo "${m:-http://deb.debian.org/debian}"
}

root=$(mktemp -d /var/tmp/ckpt-debian.XXXXXX)
# debootstrap mounts /proc and /sys in the target while it runs: unmount
# whatever a failed run left there before removing the tree.
cleanup() {
	{ grep -o " $root/[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount -l "$m" || true; done
	rm -rf --one-file-system "$root"
}
trap cleanup EXIT

url=$(mirror)
start=$(date +%s)
echo "== image $IMAGE: debootstrap $SUITE from $url with ${PKGS[*]} (a few minutes the first time; log /tmp/ckpt-setup-debootstrap.log)"
include=$(IFS=,; echo "${PKGS[*]}")
mkdir -p "$CACHE"
debootstrap --variant=minbase --cache-dir="$CACHE" --include="$include" "$SUITE" "$root" "$url" >/tmp/ckpt-setup-debootstrap.log 2>&1 ||
	die "debootstrap failed; see /tmp/ckpt-setup-debootstrap.log: $(tail -3 /tmp/ckpt-setup-debootstrap.log)"

# What an image does not need: downloaded packages, apt's lists and cache,
# documentation and translations, and the device nodes the engine provides.
# PostgreSQL's postinst makes a cluster in the chroot only sometimes; none is
# kept, so that every build is alike: a container runs initdb itself.
rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/dev/* \
	"$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/usr/share/info/* \
	"$root"/etc/postgresql/* "$root"/var/lib/postgresql/*

old=$(docker image inspect -f '{{.Id}}' "$IMAGE" 2>/dev/null || true)
tar --numeric-owner -C "$root" -c . |
	docker import --change "LABEL ckpt.hash=$hash" --change 'CMD ["/bin/bash"]' - "$IMAGE" >/dev/null ||
	die "docker import of $root failed"
# The image it replaces, unless a container still uses it.
[ -z "$old" ] || docker image rm "$old" >/dev/null 2>&1 || true
echo "== image $IMAGE built in $(($(date +%s) - start)) s, $(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%d MB", $1/1e6}') (hash $hash)"
