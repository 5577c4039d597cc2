package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// interspersed rewrites args so that flags given after a command's positional
// arguments are parsed too: urfave/cli stops at the first positional
// argument, but `ckpt dump myapp --name first` must mean the same as
// `ckpt dump --name first myapp`. Flags are recognised from the command's own
// definitions, so a value that looks like a flag is never moved. A "--"
// ends the rewriting.
func interspersed(global []cli.Flag, cmds []*cli.Command, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := append([]string{}, args[:1]...)
	rest := args[1:]
	// Skip global flags (-H/--host takes a value).
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "--" {
		out = append(out, rest[0])
		name := strings.TrimLeft(rest[0], "-")
		rest = rest[1:]
		if !strings.Contains(name, "=") && takesValue(global, name) && len(rest) > 0 {
			out = append(out, rest[0])
			rest = rest[1:]
		}
	}
	for len(rest) > 0 {
		cmd := findCommand(cmds, rest[0])
		if cmd == nil {
			return append(out, rest...)
		}
		out = append(out, rest[0])
		rest = rest[1:]
		if len(cmd.Subcommands) > 0 {
			cmds = cmd.Subcommands
			for len(rest) > 0 && strings.HasPrefix(rest[0], "-") {
				out = append(out, rest[0])
				rest = rest[1:]
			}
			continue
		}
		flags, positional := splitFlags(cmd.Flags, rest)
		out = append(out, flags...)
		if len(positional) > 0 {
			out = append(out, "--")
			out = append(out, positional...)
		}
		return out
	}
	return out
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// splitFlags separates flags (with their values) from positional arguments.
func splitFlags(defs []cli.Flag, args []string) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if takesValue(defs, name) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	return flags, positional
}

// takesValue reports whether the flag called name needs a separate value.
// Unknown flags are assumed to take none; urfave/cli then reports them.
func takesValue(defs []cli.Flag, name string) bool {
	for _, f := range defs {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if df, ok := f.(cli.DocGenerationFlag); ok {
				return df.TakesValue()
			}
			return false
		}
	}
	return false
}
