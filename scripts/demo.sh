#!/usr/bin/env bash
# demo.sh (make demo): start the docker-checkpoint tool's counter in a
# container, checkpoint it with ckpt (the container stops), show the
# checkpoint, restore it, and show the counter going on from where it
# stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
CKPT=${CKPT:-./ckpt}
C=ckpt-demo
DIR=${CKPT_DEMO_DIR:-/var/lib/ckpt}

say() { printf '\n== %s\n' "$*"; }

say "preflight: $CKPT check"
$CKPT check

say "start the demo container $C (a counter printing one number a second)"
docker rm -f "$C" >/dev/null 2>&1 || true
docker run -d --name "$C" ckpt-busybox sh -c 'i=0; while true; do echo $i; i=$((i+1)); sleep 1; done' >/dev/null
sleep 4
docker logs "$C" | tail -3

say "why each mount is or is not external: $CKPT mounts explain $C"
$CKPT mounts explain "$C"

say "checkpoint it and stop it: $CKPT dump --name demo --leave-running=false --force $C"
$CKPT dump --dir "$DIR" --name demo --leave-running=false --force "$C"
last=$(docker logs "$C" 2>/dev/null | tail -1)
echo "last number before the dump: $last; container state: $(docker inspect -f '{{.State.Status}}' "$C")"

say "what is inside: $CKPT images show $DIR/$C/demo"
$CKPT images show "$DIR/$C/demo"

say "restore it: $CKPT restore --name demo $C"
$CKPT restore --dir "$DIR" --name demo "$C"
sleep 3
echo "after restore the counter goes on:"
docker logs "$C" 2>/dev/null | tail -4
next=$(docker logs "$C" 2>/dev/null | awk -v l="$last" '$0 == l {found=1; next} found {print; exit}')
if [ "$next" = "$((last + 1))" ]; then
	echo "demo: OK, $last was followed by $next after the restore"
else
	echo "demo: the counter did not go on from $last (next: '${next}')" >&2
	exit 1
fi
docker rm -f "$C" >/dev/null
