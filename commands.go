//go:build !ckpt_front

package main

import "github.com/urfave/cli/v2"

// commands lists every command of ckpt.
func commands() []*cli.Command {
	return []*cli.Command{
		checkCommand(),
		dumpCommand(),
		mountsCommand(),
		restoreCommand(),
		listCommand(),
		rmCommand(),
		imagesCommand(),
	}
}

// handOff lets the whole ckpt run every command itself.
func handOff([]string) error { return nil }
