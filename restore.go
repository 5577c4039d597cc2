package main

import (
	"fmt"
	"io"
	"os"
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
			&cli.StringSliceFlag{Name: "publish", Usage: "with --as or --import: [IP:]HOST:CONTAINER[/PROTO] port binding, replacing the recorded ones (repeatable)"},
			&cli.StringFlag{Name: "import", Usage: "restore from the archive `FILE` (- for standard input) that ckpt export wrote, into a new container (--as, default the recorded name)"},
			&cli.BoolFlag{Name: "all", Usage: "restore a group checkpoint (ckpt dump --all or --filter) in place, networks first, then in dependency order"},
			&cli.StringSliceFlag{Name: "filter", Usage: "restore the group checkpoint whose recorded containers match label=KEY[=VALUE], name=REGEXP or id=PREFIX (repeatable)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			&cli.DurationFlag{Name: "timeout", Value: restore.DefaultTimeout, Usage: "give up on the engine's start from the checkpoint after this long: criu is killed and the container left stopped"},
			progressFlag(),
		},
		Action: func(c *cli.Context) error {
			if c.IsSet("import") {
				return importArchive(c)
			}
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

				HoldBinary: holdBinary(),
				Progress:   progress.New(c.App.ErrWriter, c.Bool("progress")),
				Timeout:    c.Duration("timeout"),
			}
			res, err := restore.Run(c.Context, eng, r)
			r.Progress.Done()
			if err != nil {
				return err
			}
			warn(c, res)
			if c.Bool("json") {
				return writeJSON(c.App.Writer, res)
			}
			reportRestore(c.App.Writer, res, ref)
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
		All: c.Bool("all"), Filters: c.StringSlice("filter"), Name: c.String("name"), Dir: c.String("dir"), Timeout: c.Duration("timeout"),
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
		reportRestore(c.App.Writer, r, r.Container)
	}
	if err == nil {
		fmt.Fprintf(c.App.Writer, "group %s: %d containers restored\n", res.Checkpoint, len(res.Members))
	}
	return err
}

// warn prints what went wrong after a container ran again.
func warn(c *cli.Context, res *restore.Result) {
	if res.Fallback != "" {
		fmt.Fprintf(c.App.ErrWriter, "ckpt: pages not symlinked: %s; %s them instead\n", res.Fallback, res.Placement)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(c.App.ErrWriter, "ckpt: warning: %s\n", w)
	}
}

// reportRestore prints a restored container for people.
func reportRestore(w io.Writer, res *restore.Result, of string) {
	verb := "restored"
	if res.Clone {
		verb = "restored as new container"
	}
	fmt.Fprintf(w, "%s %s (%.12s) from checkpoint %s of %s\n", verb, res.Container, res.ID, res.Checkpoint, of)
	if res.Replaced != "" {
		fmt.Fprintf(w, "%s is a new container %.12s (was %.12s), with the original's changed files (%d paths)\n", res.Container, res.ID, res.Replaced, res.Carried)
	}
	if res.Holder != "" {
		fmt.Fprintf(w, "its network is held by container %s (this engine cannot restore a container's own network: containerd#12141); remove both with: docker rm -f %s %s\n", res.Holder, res.Container, res.Holder)
	}
	if res.NetNS != "" {
		fmt.Fprintf(w, "network namespace converted to %s for this engine (the checkpoint was made on an engine of the other kind); established TCP connections come back closed\n", res.NetNS)
	}
	fmt.Fprintf(w, "checkpoint %s to %s; took %s\n", placedHow(res.Placement), res.Placed, res.Duration.Round(time.Millisecond))
	if res.RestartPolicy != "" {
		fmt.Fprintf(w, "restart policy %s in force\n", res.RestartPolicy)
	}
}

// importArchive is `ckpt restore --import FILE`.
func importArchive(c *cli.Context) error {
	if c.NArg() > 0 || c.IsSet("name") {
		return fmt.Errorf("restore --import: the archive names the container and the checkpoint; give no CONTAINER or --name (use --as NEWNAME for another name)")
	}
	file := c.String("import")
	var src io.Reader = c.App.Reader
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return fmt.Errorf("restore --import: %w", err)
		}
		defer f.Close()
		src = f
	}
	eng, err := openEngine(c)
	if err != nil {
		return err
	}
	defer eng.Close()
	meter := progress.New(c.App.ErrWriter, c.Bool("progress"))
	res, err := restore.Import(c.Context, eng, restore.ImportRequest{
		Archive: src, Dir: c.String("dir"), As: c.String("as"), Publish: c.StringSlice("publish"), Progress: meter, Timeout: c.Duration("timeout"),
	})
	meter.Done()
	if err != nil {
		return fmt.Errorf("restore --import %s: %w", file, err)
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, res)
	}
	reportRestore(c.App.Writer, res.Result, file)
	if res.Loaded {
		fmt.Fprintln(c.App.Writer, "image loaded from the archive")
	}
	fmt.Fprintf(c.App.Writer, "rootfs diff applied: %v, %d deleted again; volumes filled: %v\n", res.Changed, res.Deleted, res.Volumes)
	return nil
}

// placedHow says in words how a restore placed the checkpoint.
func placedHow(m engine.Method) string {
	if m == engine.Symlinked {
		return "placed (pages symlinked to the store)"
	}
	return string(m)
}
