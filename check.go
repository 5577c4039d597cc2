package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// checkCommand is a placeholder until the command is written.
func checkCommand() *cli.Command {
	return &cli.Command{
		Name:   "check",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt check: not written yet") },
	}
}
