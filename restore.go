package main

import (
	"fmt"
	"time"

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
		ArgsUsage: "CONTAINER | --all | --filter KEY=VALUE",
		Description: "In place (default), CONTAINER must exist and be stopped: ckpt puts the checkpoint\n" +
			"where the engine reads it and starts the container from it. With --as NEWNAME,\n" +
			"ckpt creates a new container from the configuration recorded at dump time and\n" +
			"restores into it; the original may keep running, or be gone. Established TCP\n" +
			"connections come back closed (CRIU tcp-close); listening sockets keep serving.\n\n" +
			"With --all or --filter, a group checkpoint comes back in place: the user networks\n" +
			"its containers were on first (a missing one is created from the record), then the\n" +
			"containers, each after those its compose service depends on.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "checkpoint name (default: the newest complete one)"},
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.StringFlag{Name: "as", Usage: "create a new container of this name and restore into it"},
			&cli.StringSliceFlag{Name: "publish", Usage: "with --as: [IP:]HOST:CONTAINER[/PROTO] port binding, replacing the recorded ones (repeatable)"},
			&cli.BoolFlag{Name: "all", Usage: "restore a group checkpoint (ckpt dump --all or --filter) in place, networks first, then in dependency order"},
			&cli.StringSliceFlag{Name: "filter", Usage: "restore the group checkpoint whose recorded containers match label=KEY[=VALUE], name=REGEXP or id=PREFIX (repeatable)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("all") || len(c.StringSlice("filter")) > 0 {
				return restoreGroup(c)
			}
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
			}
			res, err := restore.Run(c.Context, eng, r)
			if err != nil {
				return err
			}
			warn(c, res)
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			printRestore(c, res, ref)
			return nil
		},
	}
}

// restoreGroup restores a group checkpoint in place.
func restoreGroup(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("restore: --all and --filter choose the group; give no container besides")
	}
	if c.String("as") != "" || len(c.StringSlice("publish")) > 0 {
		return fmt.Errorf("restore: a group is restored in place; --as and --publish take one container")
	}
	eng, err := openEngine(c)
	if err != nil {
		return err
	}
	defer eng.Close()
	res, err := restore.RunGroup(c.Context, eng, restore.GroupRequest{
		All: c.Bool("all"), Filters: c.StringSlice("filter"), Name: c.String("name"), Dir: c.String("dir"),
	})
	if res == nil {
		return err
	}
	for _, r := range res.Members {
		warn(c, r)
	}
	if c.Bool("json") {
		if werr := writeJSON(c.App.Writer, res); werr != nil {
			return werr
		}
		return err
	}
	for _, n := range res.Networks {
		fmt.Fprintf(c.App.Writer, "network %s was missing: created it from the record\n", n)
	}
	for _, r := range res.Members {
		printRestore(c, r, r.Container)
	}
	if err == nil {
		fmt.Fprintf(c.App.Writer, "group %s: %d containers restored\n", res.Checkpoint, len(res.Members))
	}
	return err
}

// warn prints what went wrong after a container ran again.
func warn(c *cli.Context, res *restore.Result) {
	for _, w := range res.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "ckpt: warning: %s\n", w)
	}
}

// printRestore prints a restored container for people.
func printRestore(c *cli.Context, res *restore.Result, ref string) {
	how := "copied"
	if res.Linked {
		how = "hard-linked"
	}
	verb := "restored"
	if res.Clone {
		verb = "restored as new container"
	}
	fmt.Fprintf(c.App.Writer, "%s %s (%.12s) from checkpoint %s of %s\n", verb, res.Container, res.ID, res.Checkpoint, ref)
	fmt.Fprintf(c.App.Writer, "checkpoint %s to %s; took %s\n", how, res.Placed, res.Duration.Round(time.Millisecond))
	if res.RestartPolicy != "" {
		fmt.Fprintf(c.App.Writer, "restart policy %s in force\n", res.RestartPolicy)
	}
}
