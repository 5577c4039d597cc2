package main

import (
	"errors"

	"github.com/urfave/cli/v2"

	"github.com/ckpt/ckpt/preflight"
)

type checkOptions struct {
	criu string
	json bool
}

// checkCommand is `ckpt check`: the preflight a user runs first.
func checkCommand() *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check that this machine can checkpoint and restore containers",
		Description: "Reports each prerequisite as ok, warn or fail, with a fix: criu and its version,\n" +
			"'criu check', hardware breakpoints, memory dirty tracking, the Docker daemon and its\n" +
			"experimental mode, root, cgroups and the network lock. Exits 0 when nothing fails.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "criu", Usage: "criu binary (default: criu on PATH)"},
			&cli.BoolFlag{Name: "json", Usage: "print one JSON object"},
		},
		Action: func(c *cli.Context) error {
			o := checkOptions{criu: c.String("criu"), json: c.Bool("json")}
			eng, err := openEngine(c)
			if err != nil {
				return err
			}
			defer eng.Close()
			r := preflight.Evaluate(preflight.Gather(c.Context, o.criu, eng))
			if o.json {
				err = r.WriteJSON(c.App.Writer)
			} else {
				err = r.WriteText(c.App.Writer)
			}
			if err != nil {
				return err
			}
			if !r.OK {
				return cli.Exit(errors.New("check: some checks failed"), 1)
			}
			return nil
		},
	}
}
