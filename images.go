package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/ckpt/ckpt/archive"
	"github.com/ckpt/ckpt/imageinfo"
	"github.com/urfave/cli/v2"
)

// imagesCommand is `ckpt images`: decode, encode and summarise the CRIU
// images of a checkpoint, through package imageinfo.
func imagesCommand() *cli.Command {
	jsonFlag := &cli.BoolFlag{Name: "json", Usage: "print JSON instead of a table"}
	return &cli.Command{
		Name:  "images",
		Usage: "decode, encode and summarise CRIU images",
		Subcommands: []*cli.Command{
			{
				Name:      "decode",
				Usage:     "print a CRIU image as JSON",
				ArgsUsage: "FILE",
				Flags:     []cli.Flag{&cli.BoolFlag{Name: "pretty", Usage: "indent the JSON"}},
				Action: func(c *cli.Context) error {
					path, err := oneArg(c, "FILE")
					if err != nil {
						return err
					}
					return imagesDecode(c.App.Writer, path, c.Bool("pretty"))
				},
			},
			{
				Name:      "encode",
				Usage:     "write a CRIU image from its JSON form",
				ArgsUsage: "FILE.json OUT.img",
				Action: func(c *cli.Context) error {
					if c.NArg() != 2 {
						return fmt.Errorf("images encode: want FILE.json OUT.img, got %d arguments", c.NArg())
					}
					return imagesEncode(c.Args().Get(0), c.Args().Get(1))
				},
			},
			viewCommand("show", "summarise a checkpoint", jsonFlag, func(dir string) (view, error) {
				s, err := imageinfo.Show(dir)
				if err != nil {
					return nil, err
				}
				c, err := containerRecord(dir)
				if err != nil {
					return nil, err
				}
				s.AddContainer(c)
				return summaryView{s}, nil
			}),
			viewCommand("ps", "show the process tree", jsonFlag, func(dir string) (view, error) { return imageinfo.Ps(dir) }),
			viewCommand("fds", "show the open files", jsonFlag, func(dir string) (view, error) { return imageinfo.Fds(dir) }),
			viewCommand("mems", "show the memory mappings", jsonFlag, func(dir string) (view, error) { return imageinfo.Mems(dir) }),
			viewCommand("rss", "show the dumped pages", jsonFlag, func(dir string) (view, error) { return imageinfo.Rss(dir) }),
		},
	}
}

// view is what the summary and the ps, fds, mems and rss views of
// imageinfo have in common: text for people, JSON for scripts.
type view interface {
	WriteTable(io.Writer) error
	WriteJSON(io.Writer) error
}

// summaryView prints the summary's tree where the views print a table.
type summaryView struct{ *imageinfo.Summary }

func (s summaryView) WriteTable(w io.Writer) error { return s.WriteTree(w) }

func viewCommand(name, usage string, jsonFlag cli.Flag, load func(string) (view, error)) *cli.Command {
	return &cli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: "DIR|ARCHIVE",
		Flags:     []cli.Flag{jsonFlag},
		Action: func(c *cli.Context) error {
			dir, err := oneArg(c, "DIR")
			if err != nil {
				return err
			}
			from := dir
			if archive.IsArchive(dir) {
				u, err := archive.UnpackImages(dir)
				if err != nil {
					return err
				}
				defer u.Remove()
				dir = u.Dir
			}
			v, err := load(dir)
			if err != nil {
				return err
			}
			if s, ok := v.(summaryView); ok {
				s.Dir = from // the archive, not the temporary folder
			}
			if c.Bool("json") {
				return v.WriteJSON(c.App.Writer)
			}
			return v.WriteTable(c.App.Writer)
		},
	}
}

// oneArg returns the command's single positional argument.
func oneArg(c *cli.Context, what string) (string, error) {
	if c.NArg() != 1 {
		return "", fmt.Errorf("images %s: want one %s argument, got %d", c.Command.Name, what, c.NArg())
	}
	return c.Args().First(), nil
}

func imagesDecode(w io.Writer, path string, pretty bool) error {
	b, err := imageinfo.DecodeFileJSON(path)
	if err != nil {
		return err
	}
	if pretty {
		var buf bytes.Buffer
		if err := json.Indent(&buf, b, "", "  "); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		b = buf.Bytes()
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// imagesEncode writes OUT only once the whole image is encoded, so that a
// bad JSON file leaves no half-written image behind.
func imagesEncode(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return fmt.Errorf("images encode: %w", err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := imageinfo.Encode(f, &buf); err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("images encode: %w", err)
	}
	return nil
}
