package main

import (
	"fmt"
	"runtime"
	"slices"

	"github.com/urfave/cli/v2"
)

// commands lists every command of ckpt.
func commands() []*cli.Command {
	return onlyOnLinux(runtime.GOOS, []*cli.Command{
		checkCommand(),
		dumpCommand(),
		mountsCommand(),
		restoreCommand(),
		exportCommand(),
		listCommand(),
		rmCommand(),
		imagesCommand(),
		holdCommand(),
	}, "images", "list")
}

// onlyOnLinux leaves cmds as they are on Linux. On another system (goos)
// every command but the portable ones, which read a checkpoint folder
// copied there, says that it needs Linux instead of running.
func onlyOnLinux(goos string, cmds []*cli.Command, portable ...string) []*cli.Command {
	if goos == "linux" {
		return cmds
	}
	for _, c := range cmds {
		if !slices.Contains(portable, c.Name) {
			refuse(goos, c, c.Name)
		}
	}
	return cmds
}

func refuse(goos string, c *cli.Command, path string) {
	if c.Action != nil {
		c.Action = func(*cli.Context) error {
			return fmt.Errorf("%s needs Linux (CRIU and a Docker engine on Linux); on %s, ckpt reads checkpoint folders only: `ckpt list --dir DIR` and `ckpt images`", path, goos)
		}
	}
	for _, sub := range c.Subcommands {
		refuse(goos, sub, path+" "+sub.Name)
	}
}
