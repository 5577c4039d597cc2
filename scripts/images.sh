#!/usr/bin/env bash
# images.sh builds the local test images with 'docker import', no registry:
#   ckpt-busybox  busybox-static with its applets, /bin/sh as the command;
#   ckpt-apps     the same plus the static Go workloads of testscripts/apps
#                 in /usr/local/bin (counter, memory, echo, forker, flock).
# Each image carries a label with the hash of what went into it, and is
# rebuilt only when that changes.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
export PATH=/usr/local/go/bin:$PATH
BUSYBOX=/bin/busybox

[ -x "$BUSYBOX" ] || { echo "images: $BUSYBOX missing (apt-get install busybox-static)" >&2; exit 1; }

label() { docker image inspect -f '{{index .Config.Labels "ckpt.hash"}}' "$1" 2>/dev/null || true; }

# rootfs DIR: a minimal busybox root file system.
rootfs() {
	mkdir -p "$1"/{bin,etc,tmp,proc,sys,dev,data,www,root,usr/local/bin}
	chmod 1777 "$1/tmp"
	cp "$BUSYBOX" "$1/bin/busybox"
	for a in $("$BUSYBOX" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' >"$1/etc/passwd"
	echo 'root:x:0:' >"$1/etc/group"
}

# import NAME HASH DIR: makes image NAME from DIR, labelled with HASH.
import() {
	tar -C "$3" -c . | docker import --change "LABEL ckpt.hash=$2" --change 'CMD ["/bin/sh"]' - "$1" >/dev/null
	echo "== image $1 built (hash $2)"
}

bb_hash=$( { sha256sum <"$BUSYBOX"; sha256sum <"$0"; } | sha256sum | cut -c1-16)
if [ "$(label ckpt-busybox)" = "$bb_hash" ]; then
	echo "== image ckpt-busybox: up to date"
else
	tmp=$(mktemp -d)
	rootfs "$tmp"
	import ckpt-busybox "$bb_hash" "$tmp"
	rm -rf "$tmp"
fi

apps_hash=$( { echo "$bb_hash"; cd "$REPO"; find testscripts/apps go.mod -type f | sort | xargs sha256sum; } | sha256sum | cut -c1-16)
if [ "$(label ckpt-apps)" = "$apps_hash" ]; then
	echo "== image ckpt-apps: up to date"
else
	tmp=$(mktemp -d)
	rootfs "$tmp"
	for app in "$REPO"/testscripts/apps/*/; do
		name=$(basename "$app")
		(cd "$REPO" && CGO_ENABLED=0 go build -trimpath -o "$tmp/usr/local/bin/$name" "./testscripts/apps/$name")
	done
	import ckpt-apps "$apps_hash" "$tmp"
	rm -rf "$tmp"
fi
