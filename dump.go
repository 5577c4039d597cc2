package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// dumpCommand is a placeholder until the command is written.
func dumpCommand() *cli.Command {
	return &cli.Command{
		Name:   "dump",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt dump: not written yet") },
	}
}
