package main

import (
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/bundle"
	"github.com/ckpt/ckpt/mountscan"
)

// mountsCommand is `ckpt mounts`, which shows how ckpt will treat each
// mount of a container at dump time, so a failing dump can be explained
// before it is tried.
func mountsCommand() *cli.Command {
	return &cli.Command{
		Name:  "mounts",
		Usage: "show how a container's mounts are handed to CRIU",
		Subcommands: []*cli.Command{
			{
				Name:      "explain",
				Usage:     "classify every mount of a running container as root, external or internal",
				ArgsUsage: "CONTAINER",
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "json", Usage: "print a JSON array instead of a table"},
					&cli.StringFlag{Name: "bundle", Usage: "OCI bundle `DIR` holding config.json (default: found from the shim)"},
				},
				Action: func(c *cli.Context) error {
					opts, err := readExplainOptions(c)
					if err != nil {
						return err
					}
					return explainMounts(c, opts, c.App.Writer)
				},
			},
		},
	}
}

// explainOptions are the flags and argument of `mounts explain`.
type explainOptions struct {
	container string
	json      bool
	bundle    string
}

func readExplainOptions(c *cli.Context) (explainOptions, error) {
	if c.NArg() != 1 {
		return explainOptions{}, errors.New("mounts explain: want exactly one CONTAINER (see `docker ps`)")
	}
	return explainOptions{container: c.Args().First(), json: c.Bool("json"), bundle: c.String("bundle")}, nil
}

func explainMounts(c *cli.Context, opts explainOptions, w io.Writer) error {
	eng, err := openEngine(c)
	if err != nil {
		return err
	}
	defer eng.Close()
	info, err := bundle.Find(c.Context, eng, opts.container, bundle.Options{Bundle: opts.bundle})
	if err != nil {
		return err
	}
	ds, err := mountscan.Scan(info.PID, info.Spec)
	if err != nil {
		return fmt.Errorf("mounts of %s: %w", info.Name, err)
	}
	if opts.json {
		return writeDecisionsJSON(w, ds)
	}
	return writeDecisionsTable(w, ds)
}

// writeDecisionsJSON prints ds as an array of objects keyed mountpoint,
// fstype, source, action, criu_arg and reason.
func writeDecisionsJSON(w io.Writer, ds []mountscan.Decision) error {
	if ds == nil {
		ds = []mountscan.Decision{}
	}
	return writeJSON(w, ds)
}

// writeDecisionsTable prints ds as aligned columns for people.
func writeDecisionsTable(w io.Writer, ds []mountscan.Decision) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MOUNTPOINT\tFSTYPE\tSOURCE\tACTION\tCRIU ARG\tREASON")
	for _, d := range ds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", d.Mountpoint, d.FSType, d.Source, d.Action, dash(d.CriuArg), d.Reason)
	}
	return tw.Flush()
}
