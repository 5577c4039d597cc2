// Command counter prints 0, 1, 2, ... one number a line, and writes the
// latest to a state file, so a test can tell after a restore that it went
// on from where it was checkpointed rather than starting again.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

func main() {
	state := flag.String("state", "/tmp/counter", "file that holds the latest number")
	every := flag.Duration("every", 200*time.Millisecond, "time between two numbers")
	flag.Parse()
	for i := 0; ; i++ {
		fmt.Println(i)
		if err := os.WriteFile(*state, []byte(fmt.Sprintf("%d\n", i)), 0o644); err != nil {
			fmt.Fprintf(os.Stderr, "counter: write state: %v\n", err)
			os.Exit(1)
		}
		time.Sleep(*every)
	}
}
