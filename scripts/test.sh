#!/usr/bin/env bash
# test.sh is `make test` for those used to the docker-checkpoint tool's
# script: set-up, vet, unit tests and the end-to-end testscripts.
set -euo pipefail
cd "$(dirname "$0")/.."
exec make test
