package namespaces

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
)

// CRIU's network lock, with its default method (iptables), adds rules
// through the iptables and iptables-restore found on PATH in the tree's
// network namespace (criu/net.c, criu/netfilter.c):
//
//   - the whole namespace, when the tree's namespace is not criu's own:
//     chain CRIU, "-I INPUT -j CRIU", "-I OUTPUT -j CRIU",
//     "-A CRIU -m mark --mark 0xc114 -j ACCEPT", "-A CRIU -j DROP";
//   - else each dumped connection, both ways:
//     "-I INPUT --protocol tcp -m mark ! --mark 0xc114 --source B --sport b
//     --destination A --dport a -j DROP", logged as "Locked A:a - B:b
//     connection".
//
// A dump that leaves the tree running (or fails) removes them again; a
// dump that stops it keeps them for a restore with established
// connections, which ckpt never does (it restores them closed).

// LockChain is the chain of CRIU's whole-namespace lock.
const LockChain = "CRIU"

// lockMark is SOCCR_MARK: CRIU's own packets carry it and pass the lock.
const lockMark = "0xc114"

// Conn is one TCP connection CRIU locked, as its log names it.
type Conn struct{ From, To netip.AddrPort }

func (c Conn) String() string { return c.From.String() + " - " + c.To.String() }

var lockedRe = regexp.MustCompile(`\b(Locked|Unlocked) (\S+):(\d+) - (\S+):(\d+) connection`)

// LockedConns reads a CRIU log and returns the connections it locked and
// did not unlock, in the order it locked them.
func LockedConns(log io.Reader) ([]Conn, error) {
	var out []Conn
	sc := bufio.NewScanner(log)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := lockedRe.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		from, err1 := addrPort(m[2], m[3])
		to, err2 := addrPort(m[4], m[5])
		if err1 != nil || err2 != nil {
			continue // not CRIU's line after all
		}
		c := Conn{From: from, To: to}
		if m[1] == "Locked" {
			out = append(out, c)
			continue
		}
		for i, o := range out {
			if o == c {
				out = append(out[:i], out[i+1:]...)
				break
			}
		}
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("read CRIU log: %w", err)
	}
	return out, nil
}

func addrPort(addr, port string) (netip.AddrPort, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	p, err := strconv.ParseUint(port, 10, 16)
	if err != nil {
		return netip.AddrPort{}, err
	}
	return netip.AddrPortFrom(a.Unmap(), uint16(p)), nil
}

// Table is the filter table of one address family as iptables-save prints it.
type Table struct {
	// Tool is the save program's family: "iptables" or "ip6tables".
	Tool   string
	Chains []string
	Rules  []Rule
}

// Rule is one "-A CHAIN ARGS" line of a table.
type Rule struct {
	Chain string
	Args  string
}

func (r Rule) String() string { return "-A " + r.Chain + " " + r.Args }

// ParseSave reads the *filter section of iptables-save output.
func ParseSave(tool, text string) (Table, error) {
	t := Table{Tool: tool}
	in := false
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "*"):
			in = line == "*filter"
		case !in:
		case line == "COMMIT":
			in = false
		case strings.HasPrefix(line, ":"):
			name, _, _ := strings.Cut(line[1:], " ")
			t.Chains = append(t.Chains, name)
		case strings.HasPrefix(line, "-A "):
			chain, args, ok := strings.Cut(line[3:], " ")
			if !ok {
				return t, fmt.Errorf("%s-save line %d: rule without a target: %q", tool, n+1, line)
			}
			t.Rules = append(t.Rules, Rule{Chain: chain, Args: args})
		default:
			return t, fmt.Errorf("%s-save line %d: not a chain or rule: %q", tool, n+1, line)
		}
	}
	return t, nil
}

// HasChain says whether the table declares the chain name.
func (t Table) HasChain(name string) bool {
	for _, c := range t.Chains {
		if c == name {
			return true
		}
	}
	return false
}

// connRule returns the connection a per-connection lock rule blocks, in
// the log's order (the rule's destination first), if r is one.
func connRule(r Rule) (Conn, bool) {
	if r.Chain != "INPUT" && r.Chain != "OUTPUT" {
		return Conn{}, false
	}
	f := strings.Fields(r.Args)
	var src, dst, sport, dport string
	mark, drop, tcp := false, false, false
	for i := 0; i+1 < len(f); i++ {
		switch f[i] {
		case "-s":
			src = f[i+1]
		case "-d":
			dst = f[i+1]
		case "--sport":
			sport = f[i+1]
		case "--dport":
			dport = f[i+1]
		case "-p":
			tcp = f[i+1] == "tcp"
		case "!":
			mark = f[i+1] == "--mark" && i+2 < len(f) && strings.EqualFold(f[i+2], lockMark)
		case "-j":
			drop = f[i+1] == "DROP"
		}
	}
	if !mark || !drop || !tcp {
		return Conn{}, false
	}
	s, err1 := addrPort(strings.Split(src, "/")[0], sport)
	d, err2 := addrPort(strings.Split(dst, "/")[0], dport)
	if err1 != nil || err2 != nil {
		return Conn{}, false
	}
	// The rule for "Locked A:a - B:b" reads --source B --sport b
	// --destination A --dport a.
	return Conn{From: d, To: s}, true
}

// Leftovers are the rules of CRIU's lock a dump left in one table.
type Leftovers struct {
	Tool string
	// Rules are the rules to delete: jumps into CRIU and per-connection drops.
	Rules []Rule
	// Chain says the CRIU chain is the dump's and goes too.
	Chain bool
	// Conns are the connections whose drop rules are among Rules.
	Conns []Conn
	// Foreign says a CRIU chain was there before the dump; ckpt leaves it.
	Foreign bool
}

// Empty says there is nothing to remove.
func (l Leftovers) Empty() bool { return len(l.Rules) == 0 && !l.Chain }

// FindLeftovers compares a table from before the dump with one from after
// it: the CRIU chain is the dump's if it was not there before; a
// per-connection drop rule is the dump's if its connection is among those
// the dump's log says it locked.
func FindLeftovers(before, after Table, locked []Conn) Leftovers {
	l := Leftovers{Tool: after.Tool}
	if after.HasChain(LockChain) {
		if before.HasChain(LockChain) {
			l.Foreign = true
		} else {
			l.Chain = true
		}
	}
	ours := map[Conn]bool{}
	for _, c := range locked {
		ours[c] = true
	}
	seen := map[Conn]bool{}
	for _, r := range after.Rules {
		if l.Chain && r.Args == "-j "+LockChain && r.Chain != LockChain {
			l.Rules = append(l.Rules, r)
			continue
		}
		if c, ok := connRule(r); ok && ours[c] {
			l.Rules = append(l.Rules, r)
			if !seen[c] && !seen[Conn{From: c.To, To: c.From}] {
				l.Conns = append(l.Conns, c)
			}
			seen[c] = true
		}
	}
	return l
}

// Script is the iptables-restore --noflush input that removes l.
func (l Leftovers) Script() string {
	var b strings.Builder
	b.WriteString("*filter\n")
	for _, r := range l.Rules {
		fmt.Fprintf(&b, "-D %s %s\n", r.Chain, r.Args)
	}
	if l.Chain {
		fmt.Fprintf(&b, "-F %s\n-X %s\n", LockChain, LockChain)
	}
	b.WriteString("COMMIT\n")
	return b.String()
}

// Describe says in words what l holds: "chain CRIU (whole-namespace lock,
// 2 jumps)", "2 drop rules of 1 connection (127.0.0.1:7100 - ...)".
func (l Leftovers) Describe() string {
	var parts []string
	jumps, drops := 0, 0
	for _, r := range l.Rules {
		if r.Args == "-j "+LockChain {
			jumps++
		} else {
			drops++
		}
	}
	if l.Chain {
		parts = append(parts, fmt.Sprintf("chain %s (the whole-namespace lock) with %d jump(s) into it", LockChain, jumps))
	}
	if drops > 0 {
		cs := make([]string, len(l.Conns))
		for i, c := range l.Conns {
			cs[i] = c.String()
		}
		parts = append(parts, fmt.Sprintf("%d per-connection DROP rule(s) for %s", drops, strings.Join(cs, ", ")))
	}
	return l.Tool + ": " + strings.Join(parts, " and ")
}
