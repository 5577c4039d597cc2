package main

import (
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/engine"
	"github.com/ckpt/ckpt/progress"
	"github.com/ckpt/ckpt/store"
)

// exportCommand is `ckpt export`: write a checkpoint of the store as one
// archive in podman's layout.
func exportCommand() *cli.Command {
	return &cli.Command{
		Name:      "export",
		Usage:     "write a checkpoint as one archive (podman's layout), to move it to another engine or host",
		ArgsUsage: "CONTAINER FILE",
		Description: "FILE (or - for standard output) gets one tar archive, zstd-compressed unless\n" +
			"--compress says otherwise, laid out as podman's checkpoint archives are\n" +
			"(checkpoint/, config.dump, spec.dump, network.status, rootfs-diff.tar,\n" +
			"deleted.files, volumes/) with ckpt's container.json. The container's filesystem\n" +
			"changes and volumes are read from the engine now: the container must exist.\n" +
			"`ckpt restore --import FILE` brings it back, on this engine or another.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "name", Usage: "checkpoint name (default: the newest complete one)"},
			&cli.StringFlag{Name: "dir", Value: store.DefaultDir, Usage: "base folder of checkpoints"},
			&cli.BoolFlag{Name: "force", Usage: "replace FILE if it exists"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as one JSON object"},
			progressFlag(),
		}, exportFlags()...),
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("export: want CONTAINER FILE, got %d arguments", c.NArg())
			}
			ref, file := c.Args().Get(0), c.Args().Get(1)
			o, err := exportOptions(c)
			if err != nil {
				return err
			}
			entry, err := store.Store{Dir: c.String("dir")}.Pick(ref, c.String("name"))
			if err != nil {
				return err
			}
			eng, err := openEngine(c)
			if err != nil {
				return err
			}
			defer eng.Close()
			o.Folder = entry.Path
			o.Progress = progress.New(c.App.ErrWriter, c.Bool("progress"))
			out, err := archive.Create(file, c.App.Writer, c.Bool("force"))
			if err != nil {
				return err
			}
			res, err := writeArchive(c, eng, out, o)
			if err != nil {
				return err
			}
			return reportExport(reportWriter(c, file), c.Bool("json"), file, o, res)
		},
	}
}

// exportFlags are the archive's flags, shared by `ckpt export` and
// `ckpt dump --export`.
func exportFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "compress", Value: string(archive.Zstd), Usage: "compression of the archive: zstd, gzip or none"},
		&cli.BoolFlag{Name: "ignore-rootfs", Usage: "leave out the container's filesystem changes (rootfs-diff.tar, deleted.files)"},
		&cli.BoolFlag{Name: "with-volumes", Usage: "add the contents of the container's volumes (volumes/<name>.tar)"},
		&cli.BoolFlag{Name: "with-image", Usage: "add the container's image as docker save writes it (image.tar)"},
	}
}

func exportOptions(c *cli.Context) (archive.ExportOptions, error) {
	comp, err := archive.ParseCompression(c.String("compress"))
	if err != nil {
		return archive.ExportOptions{}, err
	}
	return archive.ExportOptions{
		Compression:  comp,
		IgnoreRootfs: c.Bool("ignore-rootfs"),
		WithVolumes:  c.Bool("with-volumes"),
		WithImage:    c.Bool("with-image"),
	}, nil
}

// exportedJSON is the report of an export.
type exportedJSON struct {
	File        string `json:"file"`
	Compression string `json:"compression"`
	DurationMS  int64  `json:"duration_ms"`
	*archive.Exported
}

// writeArchive exports o.Folder to out and puts the file in place,
// showing its progress on o.Progress, whose line it clears at the end.
func writeArchive(c *cli.Context, eng engine.Engine, out *archive.Output, o archive.ExportOptions) (*exportedJSON, error) {
	began := time.Now()
	res, err := archive.Export(c.Context, eng, out, o)
	o.Progress.Done()
	if err == nil {
		err = out.Commit()
	}
	if err != nil {
		out.Abort()
		return nil, fmt.Errorf("export %s: %w", o.Folder, err)
	}
	return &exportedJSON{Compression: string(o.Compression), DurationMS: time.Since(began).Milliseconds(), Exported: res}, nil
}

// reportWriter is where a command that writes an archive to file reports:
// standard error when the archive goes to standard output.
func reportWriter(c *cli.Context, file string) io.Writer {
	if file == "-" {
		return c.App.ErrWriter
	}
	return c.App.Writer
}

func reportExport(w io.Writer, asJSON bool, file string, o archive.ExportOptions, res *exportedJSON) error {
	res.File = file
	if asJSON {
		return writeJSON(w, res)
	}
	fmt.Fprintf(w, "exported %s to %s: %s (%s compressed, checkpoint %s), took %s\n", o.Folder, file,
		progress.Bytes(res.Bytes), o.Compression, progress.Bytes(res.Checkpoint), (time.Duration(res.DurationMS) * time.Millisecond))
	if !o.IgnoreRootfs {
		fmt.Fprintf(w, "rootfs: %d changed, %d deleted\n", res.Changed, res.Deleted)
	}
	if len(res.Volumes) > 0 {
		fmt.Fprintf(w, "volumes: %v\n", res.Volumes)
	}
	if res.Image != "" {
		fmt.Fprintf(w, "image: %s\n", res.Image)
	}
	return nil
}
