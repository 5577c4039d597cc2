package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/dump"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/imageinfo"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// dumpCommand is `ckpt dump`: checkpoint a running container.
func dumpCommand() *cli.Command {
	return &cli.Command{
		Name:      "dump",
		Usage:     "checkpoint a running container with CRIU",
		ArgsUsage: "CONTAINER | --all | --filter KEY=VALUE",
		Description: "Writes DIR/<container>/<name>/: CRIU's images, dump.log, descriptors.json and\n" +
			"container.json. The folder appears only when the dump succeeded. Flags may come\n" +
			"before or after the container.\n\n" +
			"With --all or --filter, the running containers that match are checkpointed as one\n" +
			"group under one name: the engine pauses all of them before the first dump and\n" +
			"thaws them (or stops them, with --leave-running=false) after the last, so none runs\n" +
			"while another is dumped. If one dump fails, no checkpoint of the group is kept.\n" +
			"A stop-mode dump suspends a restart policy (the engine would restart the container)\n" +
			"until ckpt restore.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "container", Usage: "the container (-container NAME as the docker-checkpoint tool takes it; or give it as the argument)"},
			&cli.StringFlag{Name: "name", Usage: "checkpoint name (default: ckpt-<UTC time>)"},
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.BoolFlag{Name: "leave-running", Value: true, Usage: "keep the container running after the dump"},
			&cli.BoolFlag{Name: "tcp", Value: true, Usage: "dump established TCP connections"},
			&cli.BoolFlag{Name: "file-locks", Value: true, Usage: "dump file locks"},
			&cli.BoolFlag{Name: "pre-dump", Usage: "pre-dump memory first (needs memory dirty tracking)"},
			&cli.BoolFlag{Name: "force", Usage: "replace an existing checkpoint of the same name (and the --export file)"},
			&cli.StringFlag{Name: "export", Usage: "also write the checkpoint as one archive to `FILE` (- for standard output), as `ckpt export` does"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Minute, Usage: "give up on criu after this long"},
			&cli.StringFlag{Name: "criu", Usage: "criu binary (default: criu on PATH)"},
			&cli.StringFlag{Name: "bundle", Usage: "the container's OCI bundle folder (default: found)"},
			&cli.BoolFlag{Name: "all", Usage: "checkpoint every running container, as one consistent group"},
			&cli.StringSliceFlag{Name: "filter", Usage: "checkpoint the running containers that match KEY=VALUE (docker ps --filter: label=com.docker.compose.project=web, name=db), as one consistent group (repeatable)"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			&cli.BoolFlag{Name: "explain", Usage: "dump nothing: show what the dump would do with each namespace of the container, and why (with --json, a JSON array)"},
			progressFlag(),
		}, exportFlags()...),
		Action: func(c *cli.Context) error {
			group := c.Bool("all") || len(c.StringSlice("filter")) > 0
			var ref string
			if group {
				if c.NArg() > 0 || c.String("container") != "" {
					return errors.New("dump: --all and --filter choose the containers; give no container besides")
				}
			} else {
				var err error
				if ref, err = oneContainer(c); err != nil {
					return err
				}
			}
			if c.IsSet("name") {
				// An explicit --name "" is a mistake, not a request for the default.
				if err := store.ValidName("checkpoint name", c.String("name")); err != nil {
					return err
				}
			}
			export := c.String("export")
			xo, err := exportOptions(c)
			if err != nil {
				return err
			}
			if export != "" && group {
				return errors.New("dump: --export writes one container's archive; export the group's members one by one with ckpt export")
			}
			var out *archive.Output
			if export != "" {
				// Refuse an existing file before anything is frozen.
				if out, err = archive.Create(export, c.App.Writer, c.Bool("force")); err != nil {
					return err
				}
				defer out.Abort()
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
			if c.Bool("explain") {
				if group {
					return errors.New("dump: --explain shows one container's namespaces; name the container")
				}
				return explainNamespaces(c, eng, o)
			}
			if group {
				err := dumpGroup(c, eng, dump.GroupOptions{All: c.Bool("all"), Filters: c.StringSlice("filter"), Options: o})
				o.Progress.Done()
				return err
			}
			res, err := dump.Run(c.Context, eng, o)
			o.Progress.Done()
			if err != nil {
				return err
			}
			var exported *exportedJSON
			if out != nil {
				xo.Folder, xo.Progress = res.Path, o.Progress
				if exported, err = writeArchive(c, eng, out, xo); err != nil {
					return fmt.Errorf("checkpoint %s of %s is made (%s), but: %w", res.Meta.Checkpoint, res.Meta.Name, res.Path, err)
				}
				exported.File = export
			}
			w := reportWriter(c, export)
			sum := dumpSummary(c, res)
			sum.Export = exported
			if c.Bool("json") {
				return writeJSON(w, sum)
			}
			printDump(w, res, sum)
			if exported != nil {
				return reportExport(w, false, export, xo, exported)
			}
			return nil
		},
	}
}

// dumpGroup runs a group dump and prints each member's checkpoint and the
// group's frozen window.
func dumpGroup(c *cli.Context, eng engine.Engine, g dump.GroupOptions) error {
	res, err := dump.RunGroup(c.Context, eng, g)
	if res == nil {
		return err
	}
	out := groupJSON{Checkpoint: res.Name, PausedAt: res.PausedAt, FrozenAt: res.FrozenAt, DumpedAt: res.DumpedAt,
		PauseMS: res.FrozenAt.Sub(res.PausedAt).Milliseconds(), FrozenMS: res.DumpedAt.Sub(res.FrozenAt).Milliseconds()}
	for _, r := range res.Members {
		out.Members = append(out.Members, dumpSummary(c, r))
	}
	if c.Bool("json") {
		if werr := writeJSON(c.App.Writer, out); werr != nil {
			return werr
		}
		return err
	}
	for i, r := range res.Members {
		printDump(c.App.Writer, r, out.Members[i])
	}
	fmt.Fprintf(c.App.Writer, "group %s: %d containers (%s) paused in %dms, then frozen together for %dms until the end of the last dump\n",
		res.Name, len(res.Members), strings.Join(res.Members[0].Meta.Group.Members, ", "), out.PauseMS, out.FrozenMS)
	if !g.LeaveRunning {
		fmt.Fprintf(c.App.Writer, "restore them with: ckpt restore %s --name %s\n", strings.Join(groupFlags(g), " "), res.Name)
	}
	return err
}

// groupFlags gives back the selector as ckpt restore takes it.
func groupFlags(g dump.GroupOptions) []string {
	if g.All {
		return []string{"--all"}
	}
	var out []string
	for _, f := range g.Filters {
		out = append(out, "--filter "+shellQuote(f))
	}
	return out
}

// shellQuote quotes s for a shell when it needs it.
func shellQuote(s string) string {
	if strings.IndexFunc(s, func(r rune) bool {
		return !(r == '=' || r == '.' || r == '-' || r == '_' || r == '/' || r == ':' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dumpSummary is a finished dump as --json shows it.
func dumpSummary(c *cli.Context, res *dump.Result) dumpJSON {
	// The checkpoint is made; a summary that cannot be read is a
	// warning, not a failed dump.
	sum, serr := imageinfo.Show(res.Path)
	if serr != nil {
		fmt.Fprintf(c.App.ErrWriter, "ckpt: warning: cannot summarise %s: %v\n", res.Path, serr)
	}
	out := dumpJSON{
		Container: res.Meta.Name, ID: res.Meta.ID, Checkpoint: res.Meta.Checkpoint,
		Path: res.Path, Size: res.Size, DurationMS: res.Duration.Milliseconds(),
		CriuMS: res.Meta.DurationMS, LeaveRunning: res.Meta.LeaveRunning,
		LockRemoved: res.LockRemoved,
	}
	if p := res.Meta.RestartPolicy; p != nil {
		out.SuspendedRestart = engine.RestartPolicy(*p).String()
	}
	if sum != nil {
		out.Processes = len(sum.Processes)
		out.MemoryBytes = sum.Memory.Bytes
		out.Summary = sum.Short()
		if sum.DumpStats != nil {
			out.FrozenUS = int64(sum.DumpStats.FrozenTimeUs)
		}
	}
	return out
}

// printDump prints a finished dump for people.
func printDump(w io.Writer, res *dump.Result, out dumpJSON) {
	fmt.Fprintf(w, "checkpoint %s of %s: %s\n", res.Meta.Checkpoint, res.Meta.Name, res.Path)
	fmt.Fprintf(w, "size %s, took %s (criu %dms)\n", progress.Bytes(res.Size), res.Duration.Round(time.Millisecond), res.Meta.DurationMS)
	if out.Summary != "" {
		fmt.Fprintf(w, "summary: %s\n", out.Summary)
	}
	if res.Meta.NetNS == store.NetNSExternal {
		fmt.Fprintln(w, "network namespace: external; on this engine a restore joins a network holder container (ckpt-net-NAME)")
	}
	if res.Meta.LeaveRunning {
		return
	}
	fmt.Fprintf(w, "the container was stopped; restore it with: ckpt restore --name %s %s\n", res.Meta.Checkpoint, res.Meta.Name)
	if out.SuspendedRestart != "" {
		fmt.Fprintf(w, "its restart policy %s is suspended (now \"no\", so the engine does not restart it); ckpt restore puts it back\n", out.SuspendedRestart)
	}
	if _, err := os.Stat(filepath.Join(res.Path, "filelocks.img")); err == nil {
		fmt.Fprintln(w, "it holds file locks: `docker start --checkpoint` would restore it without them, `ckpt restore` keeps them")
	}
}

// groupJSON is a group dump as --json shows it.
type groupJSON struct {
	Checkpoint string     `json:"checkpoint"`
	PausedAt   time.Time  `json:"paused_at"` // ckpt began to pause the members
	FrozenAt   time.Time  `json:"frozen_at"` // all were paused
	DumpedAt   time.Time  `json:"dumped_at"` // the last dump ended
	PauseMS    int64      `json:"pause_ms"`
	FrozenMS   int64      `json:"frozen_ms"`
	Members    []dumpJSON `json:"members"`
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
	// SuspendedRestart is the restart policy a stop-mode dump suspended.
	SuspendedRestart string        `json:"suspended_restart_policy,omitempty"`
	Export           *exportedJSON `json:"export,omitempty"`
	// LockRemoved is what CRIU's network lock left in a namespace that
	// outlives the container and ckpt removed.
	LockRemoved []string `json:"lock_removed,omitempty"`
}

// explainNamespaces prints the dump's namespace decisions: a table for
// people, or with --json an array of objects keyed type, path, inode,
// action, criu_arg, run_in, lock, outlives and reason.
func explainNamespaces(c *cli.Context, eng engine.Engine, o dump.Options) error {
	_, ds, err := dump.Explain(c.Context, eng, o)
	if err != nil {
		return err
	}
	if c.Bool("json") {
		return writeJSON(c.App.Writer, ds)
	}
	tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAMESPACE\tACTION\tCRIU\tLOCK\tREASON")
	for _, d := range ds {
		criu := d.CriuArg
		if d.RunIn != "" {
			criu = "runs in " + d.RunIn
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", d.Type, d.Action, dash(criu), dash(string(d.Lock)), d.Reason)
	}
	return tw.Flush()
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
