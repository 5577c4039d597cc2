#!/bin/sh
# images.sh: compare `ckpt images` with CRIU's Python crit on one checkpoint
# of a container holding 1 GiB of touched anonymous memory (bench/memhog).
# Needs root, dockerd, criu, go, hyperfine, and CRIU's source tree with its
# Python bindings generated (make PYTHON=/usr/bin/python3 lib crit in it).
# Not part of CI. Usage: bench/images.sh [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
main=$(cd "$here/.." && pwd)
work=${1:-/tmp/ckpt-bench-images}
criu_src=${CRIU_SRC:-/usr/local/src/ckpt-criu/criu-4.2.1}
name=ckpt-bench-memhog
crit="env PYTHONPATH=$criu_src/lib:$criu_src/crit /usr/bin/python3 -m crit"

# Python crit from the same CRIU source tree that scripts/setup.sh fetched:
# generate its protobuf modules once.
if [ ! -f "$criu_src/crit/crit/version.py" ] || ! ls "$criu_src"/lib/pycriu/images/*_pb2.py >/dev/null 2>&1; then
	make -C "$criu_src" PYTHON=/usr/bin/python3 lib crit >/dev/null
fi

cleanup() { docker rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT

mkdir -p "$work/rootfs"
CGO_ENABLED=0 go -C "$main" build -o "$work/rootfs/memhog" ./bench/memhog
make -s -C "$main" build # the released build: the images-only front ./ckpt and ./ckpt-engine
cp "$main/ckpt" "$main/ckpt-engine" "$work/"
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
"$work/ckpt" images show "$dir" | sed -n 3p

# ckpt against crit in alternating rounds (compare.py): this VM's speed
# drifts from minute to minute, and both must see the same machine. The
# front (./ckpt) is what make build installs; the engine (the whole ckpt,
# also what a plain go build gives) is shown for comparison.
rounds=${ROUNDS:-20}
compare() { python3 "$here/compare.py" --rounds "$rounds" "$@"; }
echo '| command | ckpt mean (median) | crit mean (median) | ratio of means (medians) |'
echo '|---|---:|---:|---:|'
compare 'ckpt images show' "$work/ckpt images show $dir" \
	'crit x ps + crit x mems' "$crit x $dir ps" "$crit x $dir mems"
for img in core-1 mm-1 pagemap-1; do
	compare "ckpt images decode $img.img" "$work/ckpt images decode $dir/$img.img" \
		"crit decode -i $img.img" "$crit decode -i $dir/$img.img"
done
for img in core-1 mm-1 pagemap-1; do
	compare "ckpt-engine images decode $img.img" "$work/ckpt-engine images decode $dir/$img.img" \
		"crit decode -i $img.img" "$crit decode -i $dir/$img.img"
done

# In-process figures, without the CLI's start-up cost.
hyperfine -N --warmup 5 -r 50 -n 'ckpt images --help (start-up floor of the front)' "$work/ckpt images --help" \
	-n 'ckpt-engine --help (start-up floor of the whole ckpt)' "$work/ckpt-engine --help" | grep -E 'Benchmark|Time'
CKPT_BENCH_DIR=$dir go -C "$main" test ./bench -run '^$' -bench . -benchtime 2s
