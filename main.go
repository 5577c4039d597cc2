// Command ckpt checkpoints running Docker containers with CRIU and restores
// them. This file only wires the commands together (commands.go lists
// them); each command lives in a file of its own (check.go, dump.go,
// mounts.go, restore.go, export.go, list.go, rm.go, images.go) and does its work
// through the packages beside it.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

func main() { os.Exit(run(os.Args)) }

// run executes the CLI with args and returns the process exit code. It is
// also the entry point of the testscripts, which run ckpt in-process.
func run(args []string) int {
	return runWith(args, os.Stdout, os.Stderr)
}

func runWith(args []string, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:           "ckpt",
		Usage:          "checkpoint running Docker containers with CRIU and restore them",
		Writer:         stdout,
		ErrWriter:      stderr,
		ExitErrHandler: func(*cli.Context, error) {}, // run reports errors itself
		Flags:          []cli.Flag{hostFlag()},
		Commands:       commands(),
	}
	// Ctrl-C or SIGTERM cancels the command's context: a dump in progress
	// stops criu, thaws the container and removes its partial folder.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := app.RunContext(ctx, interspersed(app.Flags, app.Commands, args)); err != nil {
		fmt.Fprintf(stderr, "ckpt: %v\n", err)
		var ec cli.ExitCoder
		if errors.As(err, &ec) && ec.ExitCode() != 0 {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}
