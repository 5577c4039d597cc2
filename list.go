package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// listCommand is a placeholder until the command is written.
func listCommand() *cli.Command {
	return &cli.Command{
		Name:   "list",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt list: not written yet") },
	}
}
