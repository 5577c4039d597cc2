package dump

import (
	"strings"
	"testing"

	"github.com/ckpt/ckpt/criucmd"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// A container's /proc/net/tcp: a listening server, one established
// connection, one in TIME_WAIT.
const tcpTable = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1654744 1 00000000d265b085 100 0 0 10 0
   1: 0200A8C0:1F90 0100A8C0:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 1654750 1 00000000bf679963 20 4 30 10 -1
   2: 0200A8C0:1F90 0100A8C0:D2F2 06 00000000:00000000 03:00001770 00000000     0        0 0 3 00000000c0ffee00
`

func TestCountTCP(t *testing.T) {
	for _, tc := range []struct {
		name, table string
		want        int
		err         string
	}{
		{"listen, established, time-wait", tcpTable, 1, ""},
		{"listening only", strings.Join(strings.Split(tcpTable, "\n")[:2], "\n") + "\n", 0, ""},
		{"header only", strings.Split(tcpTable, "\n")[0] + "\n", 0, ""},
		{"not a table", "hello\n", 0, "not a /proc/net/tcp table"},
		{"short line", strings.Split(tcpTable, "\n")[0] + "\n   0: 00000000:1F90\n", 0, "line 2"},
	} {
		got, err := CountTCP(strings.NewReader(tc.table))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: CountTCP = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}

// Without TCP connections the dump skips the network lock and drops
// --tcp-established; Locked puts both back as the user chose.
func TestNoTCPSkipsTheLock(t *testing.T) {
	p := Plan{PID: 42, ImagesDir: "/ck", Spec: &specs.Spec{Linux: &specs.Linux{}}, Flags: criucmd.DumpFlags{TCPEstablished: true}}
	o, err := p.CriuOptions()
	if err != nil || o.NetworkLock != criucmd.NetworkLockDefault || !o.TCPEstablished {
		t.Fatalf("connections unknown: %+v, %v; want the lock and --tcp-established", o, err)
	}
	p.NoTCP = true
	o, _ = p.CriuOptions()
	if o.NetworkLock != criucmd.NetworkLockSkip || o.TCPEstablished {
		t.Errorf("no connections: lock %q, tcp-established %v; want skip, off", o.NetworkLock, o.TCPEstablished)
	}
	if l := p.Locked(o); l.NetworkLock != criucmd.NetworkLockDefault || !l.TCPEstablished {
		t.Errorf("Locked: lock %q, tcp-established %v; want the default lock, on", l.NetworkLock, l.TCPEstablished)
	}
}

func TestMetTCP(t *testing.T) {
	lines := criucmd.ParseLog(strings.NewReader("(00.190000) Error (criu/sk-inet.c:200): inet: Connected TCP socket, consider using --tcp-established option.\n"))
	if !metTCP(lines) {
		t.Errorf("metTCP(%+v) = false", lines)
	}
	if metTCP(criucmd.ParseLog(strings.NewReader("(00.190000) Error (criu/mount.c:1): mnt: No mapping for 42:(null) mountpoint\n"))) {
		t.Error("metTCP is true for a mount error")
	}
}

// sockstat and sockstat6 of a busybox container's network namespace, and
// the host's sockstat with sshd listening (Linux 6.18).
const (
	sockstatNone = `sockets: used 1
TCP: inuse 0 orphan 0 tw 0 alloc 1 mem 161
UDP: inuse 0 mem 0
UDPLITE: inuse 0
RAW: inuse 0
FRAG: inuse 0 memory 0
`
	sockstat6None = `TCP6: inuse 0
UDP6: inuse 0
UDPLITE6: inuse 0
RAW6: inuse 0
FRAG6: inuse 0 memory 0
`
	sockstatListening = `sockets: used 23
TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 161
UDP: inuse 0 mem 0
`
)

func TestTCPInUse(t *testing.T) {
	for _, tc := range []struct {
		name, sockstat string
		want           int
		err            string
	}{
		{"no TCP", sockstatNone, 0, ""},
		{"no TCP6", sockstat6None, 0, ""},
		{"one listener", sockstatListening, 1, ""},
		{"no TCP line", "sockets: used 1\nUDP: inuse 0 mem 0\n", 0, "no TCP line"},
		{"garbled count", "TCP: inuse x orphan 0\n", 0, "not a count"},
		{"no inuse", "TCP: orphan 0\n", 0, "no inuse count"},
		{"empty", "", 0, "no TCP line"},
	} {
		got, err := TCPInUse(strings.NewReader(tc.sockstat))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want one with %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: TCPInUse = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
}
