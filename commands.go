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
