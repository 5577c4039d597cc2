#!/bin/sh
# make-fixtures.sh: remake the checkpoints in this folder. Needs root, dockerd,
# criu, go, and the local image ckpt-busybox. Every container it starts is
# removed again. See README.md for what each checkpoint holds.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
main=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
containers=""
cleanup() {
	for c in $containers; do docker rm -f "$c" >/dev/null 2>&1 || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT

go -C "$main" build -o "$tmp/ckpt" .

# start NAME IMAGE CMD...: run a detached container and remember it.
start() {
	n=$1
	shift
	docker rm -f "$n" >/dev/null 2>&1 || true
	containers="$containers $n"
	docker run -d --name "$n" "$@" >/dev/null
}

# dump NAME FIXTURE: checkpoint NAME with `ckpt dump` (leaving it running)
# into FIXTURE, and drop what the tests do not need (the CRIU log).
dump() {
	rm -rf "${here:?}/$2"
	"$tmp/ckpt" dump --dir "$tmp/store" --name fixture "$1"
	mv "$tmp/store/$1/fixture" "$here/$2"
	chmod -R u+rwX,go+rX "$here/$2"
	rm -f "$here/$2/dump.log"
}

# busybox: one shell looping over sleep, the smallest useful checkpoint.
start ii-fx-busybox ckpt-busybox sh -c 'while true; do sleep 1; done'
# tcp: a listener on 8080 and an established loopback connection on 8081.
start ii-fx-tcp ckpt-busybox sh -c \
	'nc -l -p 8080 >/dev/null & sleep 100000 | nc -l -p 8081 >/dev/null & sleep 1; sleep 100000 | nc 127.0.0.1 8081 >/dev/null & while true; do sleep 1; done'
# tree: a process tree three levels deep.
start ii-fx-tree ckpt-busybox sh -c \
	'sh -c "sleep 100000 & sleep 100001 & wait" & sh -c "sh -c \"sleep 100002\" & wait" & while true; do sleep 1; done'
# threads: memhog (bench/memhog) touching 8 MiB; a multi-threaded Go
# process. Its pages-*.img, like those of tcp and tree, is dropped to keep the
# fixture small.
mkdir -p "$tmp/rootfs"
CGO_ENABLED=0 go -C "$main" build -o "$tmp/rootfs/memhog" ./bench/memhog
tar -C "$tmp/rootfs" -c . | docker import -c 'CMD ["/memhog"]' - ckpt-memhog-fixture >/dev/null
start ii-fx-threads ckpt-memhog-fixture /memhog -mib 8

sleep 3
dump ii-fx-busybox busybox
dump ii-fx-tcp tcp
dump ii-fx-tree tree
dump ii-fx-threads threads
rm -f "$here"/tcp/pages-*.img "$here"/tree/pages-*.img "$here"/threads/pages-*.img
for c in $containers; do docker rm -f "$c" >/dev/null; done
containers=""
docker rmi ckpt-memhog-fixture >/dev/null
du -sh "$here"/busybox "$here"/tcp "$here"/tree "$here"/threads
