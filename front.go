//go:build ckpt_front

package main

// With the tag ckpt_front this package builds the images-only front of ckpt
// (make build: ./ckpt, with the whole ckpt beside it as ./ckpt-engine). The
// front runs `ckpt images ...` itself and hands every other command to the
// engine by exec, so that dump, restore and the rest behave exactly as in the
// whole ckpt (same process, signals, exit code and output).
//
// Why: the whole ckpt links the Docker client, whose package init (the
// regular expressions of github.com/distribution/reference and
// opencontainers/go-digest, half a megabyte of heap) and size cost a fresh
// process about a third of a `ckpt images decode` run; the front links only
// urfave/cli and imageinfo (bench/README.md has the figures). A plain `go
// build` or `go install` gives the whole ckpt, which runs every command.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/ckpt/ckpt/imageinfo"
	"github.com/urfave/cli/v2"
)

// engineName is the file name of the whole ckpt, beside the front.
const engineName = "ckpt-engine"

// commands lists the commands the front runs itself.
func commands() []*cli.Command {
	return []*cli.Command{imagesCommand()}
}

// handOff execs the engine, with the same arguments, for every command
// that commands does not list; it returns only if that fails.
func handOff(args []string) error {
	if len(args) > 1 && findCommand(commands(), args[1]) != nil {
		return nil
	}
	engine, err := enginePath()
	if err != nil {
		return err
	}
	err = syscall.Exec(engine, args, os.Environ())
	return fmt.Errorf("run %s: %w", engine, err)
}

// enginePath returns the engine beside the front's executable.
func enginePath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find the ckpt executable: %w", err)
	}
	engine := filepath.Join(filepath.Dir(exe), engineName)
	if _, err := os.Stat(engine); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s runs only `ckpt images`; the rest of ckpt is %s, which is missing beside it: build both with `make build`, or build the whole ckpt alone with `go build`", exe, engine)
		}
		return "", fmt.Errorf("find %s: %w", engine, err)
	}
	return engine, nil
}

// containerRecord gives no container for `images show` in the front, which
// does not link the checkpoint store (images_record.go reads it in the
// whole ckpt).
func containerRecord(string) (*imageinfo.Container, error) { return nil, nil }
