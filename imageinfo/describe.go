package imageinfo

import (
	"encoding/binary"
	"fmt"
	"net"
	"strconv"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/fdinfo"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pagemap"
	sk_inet "github.com/checkpoint-restore/go-criu/v8/crit/images/sk-inet"
)

// Pagemap entry flags (CRIU's PE_PARENT and PE_PRESENT).
const (
	pageInParent = 1 << 0
	pagePresent  = 1 << 2
)

// pageSize is the page size of the x86-64 checkpoints ckpt makes.
const pageSize = 4096

// nrPages returns the number of pages of a pagemap entry: nr_pages
// (field 5, 64-bit), which CRIU writes since 4.0, or compat_nr_pages
// (field 2, 32-bit), which older CRIU wrote instead.
func nrPages(e *pagemap.PagemapEntry) uint64 {
	if e.NrPages != nil {
		return e.GetNrPages()
	}
	return uint64(e.GetCompatNrPages())
}

// tcpStates names the kernel's TCP states (include/net/tcp_states.h).
var tcpStates = map[uint32]string{
	1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1",
	5: "FIN_WAIT2", 6: "TIME_WAIT", 7: "CLOSE", 8: "CLOSE_WAIT",
	9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING", 12: "NEW_SYN_RECV",
}

func tcpState(s uint32) string {
	if n, ok := tcpStates[s]; ok {
		return n
	}
	return "STATE_" + strconv.FormatUint(uint64(s), 10)
}

// ipString turns CRIU's address words (the in_addr or in6_addr bytes as
// little-endian 32-bit words) into an address.
func ipString(words []uint32) string {
	if len(words) != 1 && len(words) != 4 {
		return "?"
	}
	ip := make(net.IP, 4*len(words))
	for i, w := range words {
		binary.LittleEndian.PutUint32(ip[4*i:], w)
	}
	return ip.String()
}

func hostPort(words []uint32, port uint32) string {
	return net.JoinHostPort(ipString(words), strconv.FormatUint(uint64(port), 10))
}

// Linux's socket constants, as CRIU records them: the images come from
// Linux whatever system reads them, so these are not taken from syscall.
const (
	afInet6      = 10
	sockStream   = 1
	sockDgram    = 2
	sockRaw      = 3
	ipprotoICMP  = 1
	ipprotoTCP   = 6
	ipprotoUDP   = 17
	ipprotoICMP6 = 58
)

func protoName(family, typ, proto uint32) string {
	name := "sock"
	switch {
	case proto == ipprotoTCP || (proto == 0 && typ == sockStream):
		name = "tcp"
	case proto == ipprotoUDP || (proto == 0 && typ == sockDgram):
		name = "udp"
	case proto == ipprotoICMP, proto == ipprotoICMP6:
		name = "icmp"
	case typ == sockRaw:
		name = "raw"
	}
	if family == afInet6 {
		name += "6"
	}
	return name
}

// describeInet is a one-line description of an inet socket.
func describeInet(s *sk_inet.InetSkEntry) string {
	p := protoName(s.GetFamily(), s.GetType(), s.GetProto())
	if s.GetState() == 10 { // LISTEN
		return fmt.Sprintf("%s %s LISTEN", p, hostPort(s.GetSrcAddr(), s.GetSrcPort()))
	}
	return fmt.Sprintf("%s %s -> %s %s", p, hostPort(s.GetSrcAddr(), s.GetSrcPort()),
		hostPort(s.GetDstAddr(), s.GetDstPort()), tcpState(s.GetState()))
}

// describeFile is a one-line description of an open file: a path for
// regular files, pipe[N], unix[ino peer name], a socket's addresses, or
// TYPE.id for the rest.
func describeFile(files map[uint32]*fdinfo.FileEntry, id uint32, typ fdinfo.FdTypes) string {
	f, ok := files[id]
	if !ok {
		return fmt.Sprintf("%s.%d", typ, id)
	}
	switch {
	case f.GetReg() != nil:
		return f.GetReg().GetName()
	case f.GetPipe() != nil:
		return fmt.Sprintf("pipe[%d]", f.GetPipe().GetPipeId())
	case f.GetFifo() != nil:
		return fmt.Sprintf("fifo[%d]", f.GetFifo().GetPipeId())
	case f.GetUsk() != nil:
		u := f.GetUsk()
		return fmt.Sprintf("unix[%d (%d) %s]", u.GetIno(), u.GetPeer(), u.GetName())
	case f.GetIsk() != nil:
		return describeInet(f.GetIsk())
	case f.GetTty() != nil:
		return fmt.Sprintf("tty[%d]", f.GetTty().GetTtyInfoId())
	}
	return fmt.Sprintf("%s.%d", f.GetType(), id)
}

// protString renders mmap protection bits as rwx.
func protString(prot uint32) string {
	b := []byte("---")
	if prot&1 != 0 {
		b[0] = 'r'
	}
	if prot&2 != 0 {
		b[1] = 'w'
	}
	if prot&4 != 0 {
		b[2] = 'x'
	}
	return string(b)
}

// humanBytes renders a size with a binary unit.
func humanBytes(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
