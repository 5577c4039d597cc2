#!/bin/sh
# archive.sh: the speed of ckpt's archives on checkpoints of a container
# holding 1 GiB of anonymous memory (bench/memhog), once with one touched
# byte a page and once with pages of random (incompressible) content:
# `ckpt export` with zstd, gzip and none, `ckpt restore --import`, the
# archive's size against the folder's, and `podman container checkpoint -e`
# of the same workload for comparison, and ckpt's peak RSS exporting and
# importing (GNU time). Needs root, dockerd, criu, go and podman
# (scripts/setup.sh). Not part of CI.
# Usage: bench/archive.sh [WORKDIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
main=$(cd "$here/.." && pwd)
work=${1:-/tmp/ckpt-bench-archive}
image=ckpt-bench-memhog-image

rmall() {
	docker rm -f ckpt-bench-touch ckpt-bench-random ckpt-bench-import >/dev/null 2>&1 || true
	podman rm -f ckpt-bench-podman >/dev/null 2>&1 || true
}
trap rmall EXIT
rmall

mkdir -p "$work/rootfs"
CGO_ENABLED=0 go -C "$main" build -o "$work/rootfs/memhog" ./bench/memhog
CGO_ENABLED=0 go -C "$main" build -trimpath -ldflags '-s -w' -tags urfave_cli_no_docs -o "$work/ckpt" .
tar -C "$work/rootfs" -c . | docker import - "$image" >/dev/null
ckpt=$work/ckpt
store=$work/store
rm -rf "$store" "$work"/*.tar.*

now() { date +%s.%N; }
# seconds from $1 to $2, and the rate of $3 bytes in that time
# peak RSS in MiB of the command run last with "peak", from GNU time's file
peak() { /usr/bin/time -f %M -o "$work/rss" "$@"; }
rss() { echo "$(($(cat "$work/rss") / 1024)) MiB"; }
rate() { python3 -c "import sys; t = float(sys.argv[2]) - float(sys.argv[1]); print(f'{t:.2f} s ({float(sys.argv[3]) / t / 1e6:.0f} MB/s)')" "$@"; }

echo '| workload | compression | export | export peak RSS | archive bytes | folder bytes | archive/folder | import | import peak RSS | restore --as from the folder |'
echo '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|'
for kind in touch random; do
	name=ckpt-bench-$kind
	flag=
	[ "$kind" = random ] && flag=-random
	docker run -d --name "$name" "$image" /memhog -mib 1024 $flag >/dev/null
	until docker logs "$name" 2>&1 | grep -q touched; do sleep 1; done
	"$ckpt" dump --dir "$store" --name b --leave-running=false "$name" >/dev/null
	folder=$(du -sb "$store/$name/b" | cut -f1)
	for comp in zstd gzip none; do
		out=$work/$kind.tar.$comp
		t0=$(now)
		peak "$ckpt" export --dir "$store" --compress "$comp" "$name" "$out" >/dev/null
		t1=$(now)
		exp=$(rate "$t0" "$t1" "$folder")
		exprss=$(rss)
		imp=-
		imprss=-
		folder_t=-
		if [ "$comp" = zstd ]; then
			# The same restore from the store's folder, for what the archive adds.
			t0=$(now)
			"$ckpt" restore --dir "$store" --name b --as ckpt-bench-import "$name" >/dev/null
			t1=$(now)
			folder_t=$(rate "$t0" "$t1" "$folder")
			docker rm -f ckpt-bench-import >/dev/null
			rm -rf "$work/dst"
			t0=$(now)
			peak "$ckpt" restore --dir "$work/dst" --import "$out" --as ckpt-bench-import >/dev/null
			t1=$(now)
			imp=$(rate "$t0" "$t1" "$folder")
			imprss=$(rss)
			docker rm -f ckpt-bench-import >/dev/null
		fi
		a=$(stat -c %s "$out")
		echo "| $kind | $comp | $exp | $exprss | $a | $folder | $(python3 -c "print(f'{$a / $folder:.3f}')") | $imp | $imprss | $folder_t |"
	done
	docker rm -f "$name" >/dev/null
done

# podman's dump and export of the same workload, its default compression (zstd).
podman image exists "$image" || docker save "$image" | podman load -q >/dev/null
for kind in touch random; do
	flag=
	[ "$kind" = random ] && flag=-random
	podman rm -f ckpt-bench-podman >/dev/null 2>&1 || true
	podman run -d --name ckpt-bench-podman --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$image" /memhog -mib 1024 $flag >/dev/null
	until podman logs ckpt-bench-podman 2>&1 | grep -q touched; do sleep 1; done
	out=$work/podman-$kind.tar.zst
	t0=$(now)
	podman container checkpoint -e "$out" ckpt-bench-podman >/dev/null
	t1=$(now)
	echo "podman container checkpoint -e, $kind: $(python3 -c "print(f'{$t1 - $t0:.2f}')") s for dump and export, $(stat -c %s "$out") bytes"
done
podman rmi -f "$image" >/dev/null 2>&1 || true
docker rmi "$image" >/dev/null
