package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// restoreCommand is a placeholder until the command is written.
func restoreCommand() *cli.Command {
	return &cli.Command{
		Name:   "restore",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt restore: not written yet") },
	}
}
