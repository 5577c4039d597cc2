// Command speed is the driver of `make bench` (bench/run.sh): it measures
// ckpt's dump and restore against raw CRIU with ckpt's own argv and against
// Docker's own checkpoint and restore, on three workloads, interleaved, and
// writes the medians and paired ratios to a markdown table and CSV files.
// The engine is the one DOCKER_HOST names (docker's default otherwise), for
// ckpt and the docker CLI alike.
package main

import (
	"bytes"
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
	fill := flag.String("fill", "", "only time reading `DIR`'s page images into new memory (a restore's floor), printing milliseconds and bytes; the bench runs it in a process of its own")
	rerender := flag.String("rerender", "", "only write `BASE`.md and BASE.csv again from BASE-runs.csv (a run's tables in this version's format), keeping BASE.md's first lines")
	flag.Parse()
	if *rerender != "" {
		exitOn(rerenderRun(*rerender))
		return
	}
	if *fill != "" {
		ms, size, err := fillPages(*fill)
		exitOn(err)
		fmt.Println(ms, size)
		return
	}
	c.Workloads = strings.Split(wls, ",")
	exitOn(run(c))
}

// exitOn ends the bench with status 1 on err.
func exitOn(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// rerenderRun makes a run's tables again from its samples: the lines of
// base.md before the table (when and where it ran) are kept; Docker's
// restore is taken as not measurable when the run has none.
func rerenderRun(base string) error {
	f, err := os.Open(base + "-runs.csv")
	if err != nil {
		return err
	}
	samples, err := ReadRuns(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("read %s-runs.csv: %w", base, err)
	}
	old, err := os.ReadFile(base + ".md")
	if err != nil {
		return err
	}
	head, _, ok := bytes.Cut(old, []byte("| workload |"))
	if !ok {
		return fmt.Errorf("%s.md has no table", base)
	}
	r := Results{Samples: samples, NoDockerRestore: engineRestoreGap}
	for _, s := range samples {
		if s.Tool == Docker && s.Op == Restore {
			r.NoDockerRestore = ""
		}
	}
	md := bytes.NewBuffer(head)
	r.Markdown(md)
	var csvs bytes.Buffer
	if err := r.CSV(&csvs); err != nil {
		return err
	}
	if err := os.WriteFile(base+".md", md.Bytes(), 0o644); err != nil {
		return err
	}
	return os.WriteFile(base+".csv", csvs.Bytes(), 0o644)
}
