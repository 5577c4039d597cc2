package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// mountsCommand is a placeholder until the command is written.
func mountsCommand() *cli.Command {
	return &cli.Command{
		Name:   "mounts",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt mounts: not written yet") },
	}
}
