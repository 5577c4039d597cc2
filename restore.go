package main

import (
	"fmt"
	"time"

	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/restore"
	"github.com/ckpt/ckpt/store"
	"github.com/urfave/cli/v2"
)

// restoreCommand is `ckpt restore`: start a container again from a
// checkpoint, in place or as a new container.
func restoreCommand() *cli.Command {
	return &cli.Command{
		Name:      "restore",
		Usage:     "restore a container from a checkpoint, in place or as a new container",
		ArgsUsage: "CONTAINER",
		Description: "In place (default), CONTAINER must exist and be stopped: ckpt puts the checkpoint\n" +
			"where the engine reads it and starts the container from it. With --as NEWNAME,\n" +
			"ckpt creates a new container from the configuration recorded at dump time and\n" +
			"restores into it; the original may keep running, or be gone. Established TCP\n" +
			"connections come back closed (CRIU tcp-close); listening sockets keep serving.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "checkpoint name (default: the newest complete one)"},
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.StringFlag{Name: "as", Usage: "create a new container of this name and restore into it"},
			&cli.StringSliceFlag{Name: "publish", Usage: "with --as: [IP:]HOST:CONTAINER[/PROTO] port binding, replacing the recorded ones (repeatable)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			progressFlag(),
		},
		Action: func(c *cli.Context) error {
			ref, err := oneContainer(c)
			if err != nil {
				return err
			}
			eng, err := openEngine(c)
			if err != nil {
				return err
			}
			defer eng.Close()
			r := restore.Request{
				Container: ref,
				Name:      c.String("name"),
				Dir:       c.String("dir"),
				As:        c.String("as"),
				Publish:   c.StringSlice("publish"),
				Progress:  progress.New(c.App.ErrWriter, c.Bool("progress")),
			}
			res, err := restore.Run(c.Context, eng, r)
			r.Progress.Done()
			if err != nil {
				return err
			}
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			if res.Fallback != "" {
				fmt.Fprintf(c.App.ErrWriter, "ckpt: pages not symlinked: %s; %s them instead\n", res.Fallback, res.Placement)
			}
			verb := "restored"
			if res.Clone {
				verb = "restored as new container"
			}
			fmt.Fprintf(c.App.Writer, "%s %s (%.12s) from checkpoint %s of %s\n", verb, res.Container, res.ID, res.Checkpoint, ref)
			fmt.Fprintf(c.App.Writer, "checkpoint %s to %s; took %s\n", placedHow(res.Placement), res.Placed, res.Duration.Round(time.Millisecond))
			return nil
		},
	}
}

// placedHow says in words how a restore placed the checkpoint.
func placedHow(m engine.Method) string {
	if m == engine.Symlinked {
		return "placed (pages symlinked to the store)"
	}
	return string(m)
}
