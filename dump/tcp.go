package dump

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/ckpt/ckpt/criucmd"
)

// CountTCP counts the TCP sockets in a /proc/net/tcp or tcp6 table that a
// dump must repair: every state but LISTEN (0A), CLOSE (07) and TIME_WAIT
// (06, the kernel's, owned by no process).
func CountTCP(r io.Reader) (int, error) {
	n := 0
	sc := bufio.NewScanner(r)
	for line := 1; sc.Scan(); line++ {
		f := strings.Fields(sc.Text())
		if line == 1 {
			if len(f) < 4 || f[0] != "sl" || f[3] != "st" {
				return 0, fmt.Errorf("not a /proc/net/tcp table: header %q", sc.Text())
			}
			continue
		}
		if len(f) < 4 {
			return 0, fmt.Errorf("line %d %q: not enough fields (%d)", line, sc.Text(), len(f))
		}
		switch f[3] {
		case "0A", "07", "06":
		default:
			n++
		}
	}
	return n, sc.Err()
}

// TCPInUse reads the count of TCP sockets in use (hashed: listening,
// connecting, connected; not TIME_WAIT) from a network namespace's
// /proc/net/sockstat ("TCP: inuse N") or sockstat6 ("TCP6: inuse N").
// The kernel keeps that count per namespace, so it costs nothing, where
// reading /proc/net/tcp walks the host's whole established hash (262,144
// buckets here: 4-5 ms for each of tcp and tcp6). A count of 0 means
// CountTCP would find nothing either.
func TCPInUse(sockstat io.Reader) (int, error) {
	sc := bufio.NewScanner(sockstat)
	for sc.Scan() {
		line := sc.Text()
		proto, rest, ok := strings.Cut(line, ":")
		if !ok || proto != "TCP" && proto != "TCP6" {
			continue
		}
		f := strings.Fields(rest)
		if len(f) < 2 || f[0] != "inuse" {
			return 0, fmt.Errorf("sockstat line %q: no inuse count", line)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("sockstat line %q: inuse %q is not a count", line, f[1])
		}
		return n, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("no TCP line in sockstat")
}

// Locked is o with the network locked again and --tcp-established as the
// user chose: what a dump retries with when CRIU met a TCP connection the
// unlocked dump was not ready for.
func (p Plan) Locked(o criucmd.Options) criucmd.Options {
	o.NetworkLock = criucmd.NetworkLockDefault
	o.TCPEstablished = p.Flags.TCPEstablished
	return o
}

// metTCP reports whether a failed dump stopped on a TCP socket.
func metTCP(lines []criucmd.LogLine) bool {
	for _, l := range lines {
		if l.Error && strings.Contains(l.Text, "TCP") {
			return true
		}
	}
	return false
}
