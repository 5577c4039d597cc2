package main

import (
	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/engine"
)

// hostFlag is ckpt's global -H/--host, which names the Docker engine as
// `docker -H` does.
func hostFlag() cli.Flag {
	return &cli.StringFlag{
		Name:    "host",
		Aliases: []string{"H"},
		Usage:   "the Docker engine to talk to, as `docker -H` takes it (default: DOCKER_HOST, else the local socket)",
	}
}

// openEngine sets up the engine the command talks to: --host, else
// DOCKER_HOST, else the local socket. Nothing is dialled until it is used.
func openEngine(c *cli.Context) (engine.Engine, error) {
	return engine.NewDocker(c.String("host"))
}
