#!/bin/sh
# criu-dump-container.sh CONTAINER DIR: checkpoint a running Docker container
# with raw criu, leaving it running. This is how the fixtures in this folder
# (and the checkpoint of bench/images.sh) were made before `ckpt dump`
# existed. Needs root, dockerd and criu; cgroup v1 controllers are treated as
# external mounts, as are docker's bind mounts and /dev/shm.
set -eu
name=$1
dir=$2
pid=$(docker inspect -f '{{.State.Pid}}' "$name")
root=$(docker inspect -f '{{.GraphDriver.Data.MergedDir}}' "$name")
netns=$(stat -L -c %i "/proc/$pid/ns/net")

set -- --external "net[$netns]:extRootNetNS"
for dest in $(docker inspect -f '{{range .Mounts}}{{.Destination}} {{end}}' "$name") \
	/etc/hosts /etc/hostname /etc/resolv.conf /dev/shm; do
	set -- "$@" --external "mnt[$dest]:$dest"
done
for cg in /sys/fs/cgroup/*; do
	c=${cg##*/}
	[ "$c" = unified ] && continue
	set -- "$@" --external "mnt[/sys/fs/cgroup/$c]:/sys/fs/cgroup/$c"
done

mkdir -p "$dir"
criu dump -t "$pid" -D "$dir" -o dump.log -v4 --root "$root" \
	--manage-cgroups --ext-unix-sk --leave-running --tcp-established \
	--file-locks --empty-ns net "$@"
