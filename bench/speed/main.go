// Command speed is the driver of `make bench` (bench/run.sh): it measures
// ckpt's dump and restore against raw CRIU with ckpt's own argv and against
// Docker's own checkpoint and restore, on three workloads, interleaved, and
// writes the medians and paired ratios to a markdown table and CSV files.
// The engine is the one DOCKER_HOST names (docker's default otherwise), for
// ckpt and the docker CLI alike.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

// Config is what a bench run is asked to do.
type Config struct {
	Ckpt      string   // the ckpt binary to measure
	Criu      string   // the criu binary
	Work      string   // folder for the store, the raw dumps and the floor file
	Out       string   // folder for the results
	Reps      int      // repetitions of every measurement
	Workloads []string // W0, W1, W2
	Image     string   // the image with /memhog
	// DockerRestore is whether docker start --checkpoint is measured:
	// auto (not on Engine 28 and newer, where it fails: containerd#12141),
	// yes or no.
	DockerRestore string
}

func main() {
	var c Config
	var wls string
	flag.StringVar(&c.Ckpt, "ckpt", "ckpt", "the ckpt binary")
	flag.StringVar(&c.Criu, "criu", "criu", "the criu binary")
	flag.StringVar(&c.Work, "work", "/var/tmp/ckpt-bench", "work folder (on the file system checkpoints go to)")
	flag.StringVar(&c.Out, "out", "bench/results", "results folder")
	flag.IntVar(&c.Reps, "reps", 5, "repetitions")
	flag.StringVar(&wls, "workloads", "W0,W1,W2,redis", "workloads to run")
	flag.StringVar(&c.DockerRestore, "docker-restore", "auto", "measure docker start --checkpoint: auto (not on Engine 28 and newer: containerd#12141), yes or no")
	flag.StringVar(&c.Image, "image", "ckpt-bench-memhog", "image holding /memhog")
	flag.Parse()
	c.Workloads = strings.Split(wls, ",")
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
