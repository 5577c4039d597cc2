package main

import (
	"errors"
	"fmt"

	"github.com/ckpt/ckpt/store"
	"github.com/urfave/cli/v2"
)

// rmCommand is `ckpt rm`: delete checkpoints of a container.
func rmCommand() *cli.Command {
	return &cli.Command{
		Name:      "rm",
		Usage:     "remove checkpoints of a container",
		ArgsUsage: "CONTAINER NAME...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 2 {
				return fmt.Errorf("rm: usage: ckpt rm [--dir DIR] CONTAINER NAME... (`ckpt list` shows the names)")
			}
			s := store.Store{Dir: c.String("dir")}
			container := c.Args().First()
			var errs []error
			for _, name := range c.Args().Slice()[1:] {
				if err := s.Remove(container, name); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(c.App.Writer, "removed %s of %s\n", name, container)
			}
			return errors.Join(errs...)
		},
	}
}
