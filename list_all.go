package main

import (
	"fmt"
	"github.com/ckpt/ckpt/progress"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/store"
)

// listAll is `ckpt list --all`: the checkpoints, then what failed or
// interrupted dumps left in the store.
func listAll(c *cli.Context, entries []store.Entry, left []store.Leftover) error {
	if entries == nil {
		entries = []store.Entry{}
	}
	if left == nil {
		left = []store.Leftover{}
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, struct {
			Checkpoints []store.Entry    `json:"checkpoints"`
			Leftovers   []store.Leftover `json:"leftovers"`
		}{entries, left})
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTAINER\tCHECKPOINT\tSIZE\tSTATE")
	for _, e := range entries {
		fmt.Fprintf(tw, "%s\t%s\t%s\tcomplete\n", e.Container, e.Name, progress.Bytes(e.Size))
	}
	for _, l := range left {
		state := l.Kind
		switch {
		case l.Owner != 0:
			state += fmt.Sprintf(" (dump in progress, ckpt pid %d)", l.Owner)
		case l.Problem != "":
			state += ": " + l.Problem
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Container, l.Path, progress.Bytes(l.Size), state)
	}
	return tw.Flush()
}
