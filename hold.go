package main

import (
	"debug/elf"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// holdCommand is `ckpt hold`, hidden: the process of a network holder
// container (ckpt-net-NAME), which ckpt runs from its own binary,
// bind-mounted read-only, so that the holder needs nothing of its image.
// It sleeps until SIGTERM or SIGINT (docker stop) and exits 0.
func holdCommand() *cli.Command {
	return &cli.Command{
		Name:   "hold",
		Usage:  "sleep until stopped (the process of a network holder container)",
		Hidden: true,
		Action: func(c *cli.Context) error {
			sig := make(chan os.Signal, 1)
			signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
			<-sig
			return nil
		},
	}
}

// holdBinary is the running ckpt, if a holder can run it: a statically
// linked binary (make build) runs in any image. Else "" (a go build with
// cgo links libc dynamically), and the holder runs the image's sleep.
func holdBinary() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := elf.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return ""
		}
	}
	return exe
}
