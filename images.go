package main

import (
	"errors"

	"github.com/urfave/cli/v2"
)

// imagesCommand is a placeholder until the command is written.
func imagesCommand() *cli.Command {
	return &cli.Command{
		Name:   "images",
		Usage:  "not written yet",
		Action: func(*cli.Context) error { return errors.New("ckpt images: not written yet") },
	}
}
