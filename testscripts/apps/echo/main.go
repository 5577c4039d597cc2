// Command echo is a TCP echo server. Each line a client sends comes back
// prefixed with the server's connection count, so a test can tell an old
// connection from a new one.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"sync/atomic"
)

func main() {
	addr := flag.String("listen", ":7777", "address to listen on")
	flag.Parse()
	// Plain TCP, not Go's default MPTCP (Go >= 1.24): CRIU cannot dump
	// MPTCP sockets ("inet: Unsupported proto 262").
	var lc net.ListenConfig
	lc.SetMultipathTCP(false)
	ln, err := lc.Listen(context.Background(), "tcp", *addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "echo: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	var conns atomic.Int64
	for {
		c, err := ln.Accept()
		if err != nil {
			fmt.Fprintf(os.Stderr, "echo: accept: %v\n", err)
			continue
		}
		n := conns.Add(1)
		fmt.Printf("connection %d from %s\n", n, c.RemoteAddr())
		go func(c net.Conn, n int64) {
			defer c.Close()
			s := bufio.NewScanner(c)
			for s.Scan() {
				if _, err := fmt.Fprintf(c, "%d: %s\n", n, s.Text()); err != nil {
					return
				}
			}
		}(c, n)
	}
}
