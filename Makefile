# The README's two commands: `make demo` and `make test`.
export PATH := /usr/local/sbin:/usr/local/bin:/usr/local/go/bin:$(PATH)
GO ?= go

.PHONY: all build setup engines test unit cross demo bench clean

all: build

# One static binary, ./ckpt, without urfave/cli's man page and markdown
# generators (whose init, a markdown parser, every run would pay). A plain
# `go build` or `go install` gives the same commands.
BUILD_FLAGS := -trimpath -ldflags '-s -w'

build:
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -tags urfave_cli_no_docs -o ckpt .

setup:
	bash scripts/setup.sh

# The second engine the end-to-end tests run against (Docker Engine 29, in
# a network namespace of its own); `make demo` does without it.
engines: setup
	bash scripts/engines.sh up

# Set-up, vet, the builds for other systems, then every test: unit tests
# and the end-to-end testscripts, which run ckpt against real dockerd and
# criu, on each engine.
test: setup engines cross
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 60m ./...

# Unit tests only: no root, dockerd or criu needed.
unit:
	$(GO) test -count=1 -run 'Test[^S]|TestS[^c]' ./...

# ckpt builds for macOS and Windows too, where `ckpt images` and `ckpt list`
# read a checkpoint folder copied there and the other commands say they
# need Linux.
cross:
	GOOS=darwin $(GO) build ./...
	GOOS=windows $(GO) build ./...

demo: setup build
	bash scripts/demo.sh

# The speed bench: ckpt against raw CRIU and Docker (bench/run.sh; needs
# root, dockerd and criu; REPS=2 for a quick run).
bench: setup
	bash bench/run.sh

clean:
	rm -f ckpt
