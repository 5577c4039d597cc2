//go:build unix

// Command flock takes an exclusive lock on a file and keeps it, counting
// like counter, and checks once a second that the lock is still its own:
// CRIU must dump and restore the lock (--file-locks).
package main

import (
	"flag"
	"fmt"
	"os"
	"syscall"
	"time"
)

func main() {
	path := flag.String("file", "/tmp/lock", "file to lock")
	flag.Parse()
	f, err := os.OpenFile(*path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		fmt.Fprintf(os.Stderr, "flock: %v\n", err)
		os.Exit(1)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		fmt.Fprintf(os.Stderr, "flock: lock %s: %v\n", *path, err)
		os.Exit(1)
	}
	fmt.Printf("locked %s\n", *path)
	for i := 0; ; i++ {
		// A second descriptor must still be refused while we hold the lock.
		g, err := os.Open(*path)
		if err == nil {
			if syscall.Flock(int(g.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
				fmt.Println("LOST LOCK")
				os.Exit(1)
			}
			g.Close()
		}
		fmt.Println(i)
		time.Sleep(200 * time.Millisecond)
	}
}
