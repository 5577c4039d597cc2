#!/bin/sh
# run.sh (make bench): ckpt's dump and restore against raw CRIU with ckpt's
# own argv and against Docker's own checkpoint and restore, on W0 (a busybox
# counter), W1 (64 MiB touched), W2 (1 GiB touched) and redis (Debian's
# redis-server holding about 1 GiB of keys), interleaved, REPS times each
# (5), on the engine DOCKER_HOST names (Engine 28 and newer: no docker start
# --checkpoint, containerd#12141). Results go to
# bench/results/<UTC date>/speed-engine-<version>.{md,csv} and -runs.csv.
# Needs root, the engine (experimental mode on Engine 20.10), criu and go.
# Usage: [REPS=5] [WORKLOADS=W0,W1,W2,redis] [DOCKER_HOST=...] [BENCH_OUT=folder] bench/run.sh [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
main=$(cd "$here/.." && pwd)
work=${1:-/var/tmp/ckpt-bench}
image=ckpt-bench-memhog

mkdir -p "$work/rootfs"
CGO_ENABLED=0 go -C "$main" build -o "$work/rootfs/memhog" ./bench/memhog
# ckpt as released: one static binary without urfave/cli's doc generators.
CGO_ENABLED=0 go -C "$main" build -trimpath -ldflags '-s -w' -tags urfave_cli_no_docs -o "$work/ckpt" .
go -C "$main" build -o "$work/speed" ./bench/speed
if ! docker image inspect "$image" >/dev/null 2>&1; then
	tar -C "$work/rootfs" -c . | docker import - "$image" >/dev/null
fi
workloads=${WORKLOADS:-W0,W1,W2,redis}
for img in ckpt-busybox ckpt-debian; do
	docker image inspect "$img" >/dev/null 2>&1 || {
		echo "run.sh: no image $img on this engine; run scripts/setup.sh (and scripts/engines.sh up for Engine 29)" >&2
		exit 1
	}
done
criu=$(command -v criu) || { echo "run.sh: no criu on PATH; run scripts/setup.sh" >&2; exit 1; }

# End-to-end tests and the bench share the engine and runc.conf: one at a
# time, under the same host-wide lock as the testscripts
# (CKPT_E2E_LOCK=none when the caller holds it already).
lock=${CKPT_E2E_LOCK:-/tmp/ckpt-e2e.lock}
set -- "$work/speed" -ckpt "$work/ckpt" -criu "$criu" -work "$work" -out "${BENCH_OUT:-$main/bench/results/$(date -u +%F)}" \
	-reps "${REPS:-5}" -workloads "$workloads"
if [ "$lock" = none ]; then exec "$@"; fi
exec flock "$lock" "$@"
