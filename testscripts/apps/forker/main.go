// Command forker starts N children (itself, with -child) and then counts
// like counter, each child counting too, so a dump must capture a process
// tree. Each line is "<role> <n>"; the parent also prints a bare number.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"time"
)

func main() {
	children := flag.Int("children", 3, "number of child processes")
	child := flag.Int("child", -1, "internal: run as child number N")
	flag.Parse()
	if *child >= 0 {
		for i := 0; ; i++ {
			fmt.Printf("child%d %d\n", *child, i)
			time.Sleep(time.Second)
		}
	}
	for c := 0; c < *children; c++ {
		cmd := exec.Command(os.Args[0], "-child", fmt.Sprint(c))
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Start(); err != nil {
			fmt.Fprintf(os.Stderr, "forker: start child %d: %v\n", c, err)
			os.Exit(1)
		}
	}
	for i := 0; ; i++ {
		fmt.Println(i)
		time.Sleep(200 * time.Millisecond)
	}
}
