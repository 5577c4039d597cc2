package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/dump"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
	"github.com/urfave/cli/v2"
)

// listCommand is `ckpt list`: the complete checkpoints in a store.
func listCommand() *cli.Command {
	return &cli.Command{
		Name:      "list",
		Usage:     "list the checkpoints under --dir, or in archives",
		ArgsUsage: "[CONTAINER | ARCHIVE...]",
		Description: "One line per complete checkpoint: container, name, time, size, processes and\n" +
			"whether the dump stopped the container. Partial dumps and folders ckpt did not\n" +
			"make are not listed (--all shows what dumps left). Partial folders of a ckpt that\n" +
			"was killed are removed first, and a container it left frozen is thawed. Given archive files (ckpt export's, or podman's), it\n" +
			"lists those instead.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.BoolFlag{Name: "json", Usage: "print a JSON array (with --all: an object of checkpoints and leftovers)"},
			&cli.BoolFlag{Name: "all", Usage: "also show what failed or interrupted dumps left: partial folders in progress or not removable, failed dumps' logs"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 && archive.IsArchive(c.Args().First()) {
				entries, err := archiveEntries(c.Args().Slice())
				if err != nil {
					return err
				}
				return printEntries(c, entries)
			}
			if c.NArg() > 1 {
				return fmt.Errorf("list: at most one container, got %d arguments", c.NArg())
			}
			st := store.Store{Dir: c.String("dir")}
			left, err := sweepStore(c, st)
			if err != nil {
				return err
			}
			entries, err := st.List(c.Args().First())
			if err != nil {
				return err
			}
			if c.Bool("all") {
				return listAll(c, entries, left)
			}
			return printEntries(c, entries)
		},
	}
}

// sweepStore removes the partial folders of dumps whose ckpt was killed,
// thawing a container one of them left frozen (dump.Healer). The engine,
// which says whether the user paused it meanwhile, is opened only then.
func sweepStore(c *cli.Context, st store.Store) ([]store.Leftover, error) {
	var eng engine.Engine
	open := func() (engine.Engine, error) {
		if eng == nil {
			e, err := openEngine(c)
			if err != nil {
				return nil, err
			}
			eng = e
		}
		return eng, nil
	}
	defer func() {
		if eng != nil {
			eng.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(c.Context, 10*time.Second)
	defer cancel()
	return st.Sweep(dump.Healer(ctx, open, c.App.ErrWriter))
}

// printEntries prints checkpoints: a table for people, or with --json an array.
func printEntries(c *cli.Context, entries []store.Entry) error {
	if c.Bool("json") {
		if entries == nil {
			entries = []store.Entry{}
		}
		return writeJSON(c.App.Writer, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintf(c.App.ErrWriter, "no checkpoints in %s\n", c.String("dir"))
		return nil
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tCHECKPOINT\tCREATED\tSIZE\tPROCESSES\tSTOPPED")
	for _, e := range entries {
		stopped := "no"
		if e.Stopped {
			stopped = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", e.Container, e.Name,
			e.Created.Local().Format(time.DateTime), progress.Bytes(e.Size), e.Processes, stopped)
	}
	return tw.Flush()
}

// archiveEntries lists the checkpoints held in archive files.
func archiveEntries(paths []string) ([]store.Entry, error) {
	var out []store.Entry
	for _, p := range paths {
		e, err := archive.Entry(p)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}
