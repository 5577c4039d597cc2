package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/dump"
	"github.com/ckpt/ckpt/imageinfo"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// dumpCommand is `ckpt dump`: checkpoint a running container.
func dumpCommand() *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "checkpoint a running container with CRIU",
		ArgsUsage: "CONTAINER",
		Description: "Writes DIR/<container>/<name>/: CRIU's images, dump.log, descriptors.json and\n" +
			"container.json. The folder appears only when the dump succeeded. Flags may come\n" +
			"before or after the container.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "container", Usage: "the container (-container NAME as the docker-checkpoint tool takes it; or give it as the argument)"},
			&cli.StringFlag{Name: "name", Usage: "checkpoint name (default: ckpt-<UTC time>)"},
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.BoolFlag{Name: "leave-running", Value: true, Usage: "keep the container running after the dump"},
			&cli.BoolFlag{Name: "tcp", Value: true, Usage: "dump established TCP connections"},
			&cli.BoolFlag{Name: "file-locks", Value: true, Usage: "dump file locks"},
			&cli.BoolFlag{Name: "pre-dump", Usage: "pre-dump memory first (needs memory dirty tracking)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing checkpoint of the same name"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Minute, Usage: "give up on criu after this long"},
			&cli.StringFlag{Name: "criu", Usage: "criu binary (default: criu on PATH)"},
			&cli.StringFlag{Name: "bundle", Usage: "the container's OCI bundle folder (default: found)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			progressFlag(),
		},
		Action: func(c *cli.Context) error {
			ref, err := oneContainer(c)
			if err != nil {
				return err
			}
			if c.IsSet("name") {
				// An explicit --name "" is a mistake, not a request for the default.
				if err := store.ValidName("checkpoint name", c.String("name")); err != nil {
					return err
				}
			}
			eng, err := openEngine(c)
			if err != nil {
				return err
			}
			defer eng.Close()
			o := dump.Options{
				Container: ref,
				Name:      c.String("name"),
				Dir:       c.String("dir"),
				Bundle:    c.String("bundle"),
				Criu:      c.String("criu"),
				PreDump:   c.Bool("pre-dump"),
				Force:     c.Bool("force"),
				Timeout:   c.Duration("timeout"),
				Warn:      c.App.ErrWriter,
				Progress:  progress.New(c.App.ErrWriter, c.Bool("progress")),
				DumpFlags: criucmd.DumpFlags{
					LeaveRunning:   c.Bool("leave-running"),
					TCPEstablished: c.Bool("tcp"),
					FileLocks:      c.Bool("file-locks"),
				},
			}
			res, err := dump.Run(c.Context, eng, o)
			o.Progress.Done()
			if err != nil {
				return err
			}
			// The checkpoint is made; a summary that cannot be read is a
			// warning, not a failed dump.
			sum, serr := imageinfo.Show(res.Path)
			if serr != nil {
				fmt.Fprintf(c.App.ErrWriter, "ckpt: warning: cannot summarise %s: %v\n", res.Path, serr)
			}
			if c.Bool("json") {
				out := dumpJSON{
					Container: res.Meta.Name, ID: res.Meta.ID, Checkpoint: res.Meta.Checkpoint,
					Path: res.Path, Size: res.Size, DurationMS: res.Duration.Milliseconds(),
					CriuMS: res.Meta.DurationMS, LeaveRunning: res.Meta.LeaveRunning,
				}
				if sum != nil {
					out.Processes = len(sum.Processes)
					out.MemoryBytes = sum.Memory.Bytes
					out.Summary = sum.Short()
					if sum.DumpStats != nil {
						out.FrozenUS = int64(sum.DumpStats.FrozenTimeUs)
					}
				}
				return writeJSON(c.App.Writer, out)
			}
			fmt.Fprintf(c.App.Writer, "checkpoint %s of %s: %s\n", res.Meta.Checkpoint, res.Meta.Name, res.Path)
			fmt.Fprintf(c.App.Writer, "size %s, took %s (criu %dms)\n", progress.Bytes(res.Size), res.Duration.Round(time.Millisecond), res.Meta.DurationMS)
			if sum != nil {
				fmt.Fprintf(c.App.Writer, "summary: %s\n", sum.Short())
			}
			if !res.Meta.LeaveRunning {
				fmt.Fprintf(c.App.Writer, "the container was stopped; restore it with: ckpt restore --name %s %s\n", res.Meta.Checkpoint, res.Meta.Name)
				if _, err := os.Stat(filepath.Join(res.Path, "filelocks.img")); err == nil {
					fmt.Fprintln(c.App.Writer, "it holds file locks: `docker start --checkpoint` would restore it without them, `ckpt restore` keeps them")
				}
			}
			return nil
		},
	}
}

type dumpJSON struct {
	Container    string `json:"container"`
	ID           string `json:"id"`
	Checkpoint   string `json:"checkpoint"`
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	DurationMS   int64  `json:"duration_ms"`
	CriuMS       int64  `json:"criu_ms"`
	LeaveRunning bool   `json:"leave_running"`
	Processes    int    `json:"processes"`
	MemoryBytes  uint64 `json:"memory_bytes"`
	FrozenUS     int64  `json:"frozen_us"`
	Summary      string `json:"summary"`
}

// oneContainer takes the container from --container or the one argument.
func oneContainer(c *cli.Context) (string, error) {
	ref := c.String("container")
	switch {
	case ref != "" && c.NArg() > 0:
		return "", errors.New("give the container either as an argument or with --container, not both")
	case ref != "":
		return ref, nil
	case c.NArg() == 1:
		return c.Args().First(), nil
	case c.NArg() == 0:
		return "", fmt.Errorf("%s: which container? usage: ckpt %s %s", c.Command.Name, c.Command.Name, c.Command.ArgsUsage)
	default:
		return "", fmt.Errorf("%s: one container at a time, got %d arguments", c.Command.Name, c.NArg())
	}
}

// progressFlag is --progress: show progress off a terminal too.
func progressFlag() cli.Flag {
	return &cli.BoolFlag{Name: "progress", Usage: "show progress on standard error even when it is not a terminal (on one, it is always shown)"}
}
