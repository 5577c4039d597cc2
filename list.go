package main

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/ckpt/ckpt/archive"
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
			"make are not listed. Given archive files (ckpt export's, or podman's), it lists\n" +
			"those instead.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.BoolFlag{Name: "json", Usage: "print a JSON array"},
		},
		Action: func(c *cli.Context) error {
			entries, err := listEntries(c)
			if err != nil {
				return err
			}
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
		},
	}
}

// listEntries lists the archives given as arguments, or the store's
// checkpoints (of the one container given).
func listEntries(c *cli.Context) ([]store.Entry, error) {
	if c.NArg() > 0 && archive.IsArchive(c.Args().First()) {
		var out []store.Entry
		for _, p := range c.Args().Slice() {
			e, err := archive.Entry(p)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
		}
		return out, nil
	}
	if c.NArg() > 1 {
		return nil, fmt.Errorf("list: at most one container, got %d arguments", c.NArg())
	}
	return store.Store{Dir: c.String("dir")}.List(c.Args().First())
}
