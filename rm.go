package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/ckpt/ckpt/engine"
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
			if _, err := sweepStore(c, s); err != nil {
				return err
			}
			container := c.Args().First()
			root := engineRoot(c)
			var errs []error
			for _, name := range c.Args().Slice()[1:] {
				placed := store.Placed(root, s.Path(container, name))
				if err := s.Remove(container, name); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Fprintf(c.App.Writer, "removed %s of %s\n", name, container)
				for _, p := range placed {
					if err := os.RemoveAll(p); err != nil {
						errs = append(errs, fmt.Errorf("remove the copy a restore placed at %s: %w", p, err))
						continue
					}
					fmt.Fprintf(c.App.Writer, "removed the copy a restore placed at %s\n", p)
				}
			}
			return errors.Join(errs...)
		},
	}
}

// engineRoot is the engine's root folder, where restores place copies of
// checkpoints; "" with a warning when the engine does not answer (the
// store's folders are removed all the same).
func engineRoot(c *cli.Context) string {
	eng, err := openEngine(c)
	if err == nil {
		defer eng.Close()
		ctx, cancel := context.WithTimeout(c.Context, 10*time.Second)
		defer cancel()
		var info engine.Info
		if info, err = eng.Info(ctx); err == nil {
			return info.RootDir
		}
	}
	fmt.Fprintf(c.App.ErrWriter, "ckpt: warning: the engine does not answer (%v): copies a restore placed in its folders are not removed\n", err)
	return ""
}
