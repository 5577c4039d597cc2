package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// rmCommand is a placeholder until the command is written.
func rmCommand() *cli.Command {
	return &cli.Command{
		Name:   "rm",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt rm: not written yet") },
	}
}
