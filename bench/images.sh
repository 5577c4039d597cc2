#!/bin/sh
# images.sh: compare `ckpt images` with CRIU's Python crit on one checkpoint
# of a container holding 1 GiB of touched anonymous memory (bench/memhog).
# Needs root, dockerd, criu, go, hyperfine and crit (scripts/setup.sh
# installs crit from CRIU's source tree). Not part of CI.
# Usage: bench/images.sh [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
main=$(cd "$here/.." && pwd)
work=${1:-/tmp/ckpt-bench-images}
name=ckpt-bench-memhog
crit=$(command -v crit) || { echo "images.sh: no crit on PATH; run scripts/setup.sh" >&2; exit 1; }

cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The released build: one static binary, the whole ckpt, without urfave/cli's
# documentation generators.
mkdir -p "$work/rootfs"
CGO_ENABLED=0 go -C "$main" build -o "$work/rootfs/memhog" ./bench/memhog
CGO_ENABLED=0 go -C "$main" build -trimpath -ldflags '-s -w' -tags urfave_cli_no_docs -o "$work/ckpt" .
dir=$work/store/$name/bench
if [ ! -f "$dir/inventory.img" ]; then
	tar -C "$work/rootfs" -c . | docker import - "$name-image" >/dev/null
	cleanup
	docker run -d --name "$name" "$name-image" /memhog -mib 1024 >/dev/null
	until docker logs "$name" 2>&1 | grep -q touched; do sleep 1; done
	"$work/ckpt" dump --dir "$work/store" --name bench --force --leave-running=false "$name"
	cleanup
	docker rmi "$name-image" >/dev/null
fi
du -sh "$dir"
"$work/ckpt" images show "$dir" | sed -n 5p

# ckpt against crit in alternating rounds (compare.py): this VM's speed
# drifts from minute to minute, and both must see the same machine. The
# images decoded are the checkpoint's largest, pages aside.
rounds=${ROUNDS:-20}
compare() { python3 "$here/compare.py" --rounds "$rounds" "$@"; }
echo '| command | ckpt mean (median) | crit mean (median) | ratio of means (medians) |'
echo '|---|---:|---:|---:|'
compare 'ckpt images show' "$work/ckpt images show $dir" \
	'crit x ps + crit x mems' "$crit x $dir ps" "$crit x $dir mems"
for img in pagemap-1 seccomp cgroup core-1 mm-1; do
	compare "ckpt images decode $img.img" "$work/ckpt images decode $dir/$img.img" \
		"crit decode -i $img.img" "$crit decode -i $dir/$img.img"
done

# The start-up floor, and in-process figures without the CLI's start-up.
hyperfine -N --warmup 5 -r 50 -n 'ckpt --help (start-up floor)' "$work/ckpt --help" | grep -E 'Benchmark|Time'
CKPT_BENCH_DIR=$dir go -C "$main" test ./bench -run '^$' -bench . -benchtime 2s
