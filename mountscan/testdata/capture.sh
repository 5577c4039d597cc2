#!/bin/sh
# capture.sh CASE CONTAINER: copy the container's real /proc/<pid>/mountinfo
# and its OCI bundle config.json into testdata/CASE/. Run as root on a host
# where dockerd runs the container; the bundle is the shim's working directory.
set -eu
case_dir=$(dirname "$0")/$1
pid=$(docker inspect -f '{{.State.Pid}}' "$2")
ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
mkdir -p "$case_dir"
cat "/proc/$pid/mountinfo" > "$case_dir/mountinfo"
cp "/proc/$ppid/cwd/config.json" "$case_dir/config.json"
