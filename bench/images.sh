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
make -s -C "$main" build # the released build: static, no docs generators
cp "$main/ckpt" "$work/ckpt"
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

hyperfine -N --warmup 5 -r 50 --export-markdown "$work/show.md" \
	-n 'ckpt images show' "$work/ckpt images show $dir" \
	-n 'ckpt images show --json' "$work/ckpt images show --json $dir" \
	-n 'crit x ps' "$crit x $dir ps" \
	-n 'crit x mems' "$crit x $dir mems"
for img in core-1 mm-1 pagemap-1; do
	hyperfine -N --warmup 5 -r 50 --export-markdown "$work/decode-$img.md" \
		-n "ckpt images decode $img.img" "$work/ckpt images decode $dir/$img.img" \
		-n "crit decode $img.img" "$crit decode -i $dir/$img.img"
done
cat "$work/show.md" "$work"/decode-*.md

# In-process figures, without the CLI's start-up cost.
hyperfine -N --warmup 5 -r 50 -n 'ckpt --help (start-up floor)' "$work/ckpt --help" | grep -E 'Benchmark|Time'
CKPT_BENCH_DIR=$dir go -C "$main" test ./bench -run '^$' -bench . -benchtime 2s
