// Command memhog allocates and touches a given amount of anonymous memory and
// then sleeps forever. It is the workload of the images benchmark (a 1 GiB
// checkpoint) and of the "threads" fixture of imageinfo (a few MiB, several
// Go runtime threads). It is built with CGO_ENABLED=0 so that it runs in an
// empty image made with `docker import`.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"time"
)

func main() {
	mib := flag.Int("mib", 1024, "MiB of memory to allocate and touch")
	random := flag.Bool("random", false, "fill every page with random bytes (incompressible) instead of touching one byte")
	flag.Parse()
	if *mib < 0 {
		fmt.Fprintln(os.Stderr, "memhog: -mib must not be negative")
		os.Exit(2)
	}
	buf := make([]byte, *mib<<20)
	if *random {
		// ChaCha8: incompressible content, what a compressor meets in the
		// worst case (encrypted or already compressed data).
		rand.NewChaCha8([32]byte{1}).Read(buf)
	} else {
		// Touch every page with a non-zero byte so that each one is
		// resident and CRIU has to dump it.
		for i := 0; i < len(buf); i += 4096 {
			buf[i] = byte(i>>12) | 1
		}
	}
	fmt.Printf("memhog: %d MiB touched\n", *mib)
	for {
		time.Sleep(time.Hour)
		buf[0]++ // keep buf reachable
	}
}
