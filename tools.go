//go:build tools

// Package main's tools.go pins the modules the packages are being written
// against, so that go.mod stays stable while they are. Remove when unused.
package main

import (
	_ "github.com/checkpoint-restore/go-criu/v7/crit"
	_ "github.com/docker/docker/client"
	_ "github.com/moby/sys/mountinfo"
	_ "github.com/opencontainers/runtime-spec/specs-go"
)
