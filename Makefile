# The README's two commands: `make demo` and `make test`.
export PATH := /usr/local/sbin:/usr/local/bin:/usr/local/go/bin:$(PATH)
GO ?= go

.PHONY: all build setup test unit demo clean

all: build

# Two static binaries, without urfave/cli's man page and markdown
# generators (whose init, a markdown parser, every run would pay):
# ./ckpt-engine is the whole ckpt; ./ckpt is its images-only front, which
# runs `ckpt images` itself and execs ./ckpt-engine for every other command.
# The front does not link the Docker client, whose package init is about a
# third of a `ckpt images decode` run (front.go, bench/README.md). A plain
# `go build` gives the whole ckpt as one binary, with every command.
BUILD_FLAGS := -trimpath -ldflags '-s -w'

build:
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -tags urfave_cli_no_docs -o ckpt-engine .
	CGO_ENABLED=0 $(GO) build $(BUILD_FLAGS) -tags urfave_cli_no_docs,ckpt_front -o ckpt .

setup:
	bash scripts/setup.sh

# Set-up, vet, then every test: unit tests and the end-to-end testscripts,
# which run ckpt against real dockerd and criu.
test: setup
	$(GO) vet ./...
	$(GO) vet -tags ckpt_front .
	$(GO) test -count=1 -timeout 60m ./...

# Unit tests only: no root, dockerd or criu needed.
unit:
	$(GO) test -count=1 -run 'Test[^S]|TestS[^c]' ./...

demo: setup build
	bash scripts/demo.sh

clean:
	rm -f ckpt ckpt-engine
