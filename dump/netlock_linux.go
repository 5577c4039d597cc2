package dump

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ckpt/ckpt/criucmd"
	"github.com/ckpt/ckpt/namespaces"
)

// netGuard holds a dump's network namespace open from before criu runs
// until ckpt has removed what CRIU's network lock left in it, so that it
// can be checked even after a stop-mode dump ended the container.
type netGuard struct {
	decision namespaces.Decision
	path     string
	ns       *os.File
	armed    bool // the tables were read before a criu run that locks
	before   namespaces.Snapshot
	err      error // why the namespace cannot be checked
}

// guardNet opens the container's network namespace before the dump.
func guardNet(pid int, d namespaces.Decision) *netGuard {
	g := &netGuard{decision: d, path: fmt.Sprintf("/proc/%d/ns/net", pid)}
	f, err := os.Open(g.path)
	if err != nil {
		g.err = fmt.Errorf("open %s: %w", g.path, err)
		return g
	}
	g.ns = f
	return g
}

// arm reads the namespace's firewall tables before a criu run that takes
// the network lock, once: a dump with --network-lock skip adds nothing to
// them, and is spared the two iptables-save runs before it and the check
// after.
func (g *netGuard) arm(ctx context.Context, lock criucmd.NetworkLock) {
	if g.armed || lock == criucmd.NetworkLockSkip {
		return
	}
	g.armed = true
	if g.ns != nil {
		g.before, g.err = namespaces.Take(ctx, g.ns)
	}
}

// release removes CRIU's leftovers from the namespace when it outlives
// the dump (namespaces.Decision.CheckAfter), says so on warn, and returns
// what it removed, in words. criuLog is the dump's log, which names the
// connections CRIU locked one by one.
func (g *netGuard) release(ctx context.Context, container, criuLog string, stillRunning bool, warn io.Writer) []string {
	if g.ns != nil {
		defer g.ns.Close()
	}
	if !g.armed || !g.decision.CheckAfter(stillRunning) {
		return nil
	}
	// A dump that was interrupted is the one most likely to leave a lock:
	// clean up even when ctx is done (each tool run has its own bound).
	ctx = context.WithoutCancel(ctx)
	where := fmt.Sprintf("the network namespace of %s (net:[%d], %s)", container, g.decision.Inode, nsRole(g.decision))
	if g.err != nil {
		fmt.Fprintf(warn, "ckpt: warning: cannot check %s for what CRIU's network lock left: %v; look with `nsenter --net=%s iptables -S`\n", where, g.err, g.path)
		return nil
	}
	var locked []namespaces.Conn
	if f, err := os.Open(criuLog); err == nil {
		locked, _ = namespaces.LockedConns(f)
		f.Close()
	}
	removed, err := namespaces.Clean(ctx, g.ns, g.before, locked)
	var said []string
	for _, l := range removed {
		said = append(said, l.Describe())
	}
	if len(said) > 0 {
		fmt.Fprintf(warn, "ckpt: removed what CRIU's network lock left in %s: %s\n", where, strings.Join(said, "; "))
	}
	if err != nil {
		fmt.Fprintf(warn, "ckpt: warning: %s: %v\n", where, err)
	}
	for _, t := range g.before {
		if t.HasChain(namespaces.LockChain) {
			fmt.Fprintf(warn, "ckpt: note: %s had a %s chain before this dump (%s); ckpt left it as it was\n", where, namespaces.LockChain, t.Tool)
		}
	}
	return said
}

// nsRole says whose a network namespace is, for messages.
func nsRole(d namespaces.Decision) string {
	switch d.Action {
	case namespaces.Join:
		return "shared with the engine"
	case namespaces.External:
		return "joined from " + d.Path
	default:
		return "the container's own"
	}
}
