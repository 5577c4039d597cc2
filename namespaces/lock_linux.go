package namespaces

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"time"
)

// tools are the iptables front ends CRIU's iptables lock runs, by name
// from PATH, as it does; ckpt reads and changes the same tables with them.
var tools = []string{"iptables", "ip6tables"}

// toolTimeout bounds one iptables-save or iptables-restore run.
const toolTimeout = 30 * time.Second

// Snapshot is the filter tables of a network namespace, one per family
// whose save tool ran.
type Snapshot map[string]Table

// Take reads the filter tables of the namespace open as ns with
// iptables-save and ip6tables-save. A family whose tool is missing or
// fails (no IPv6, say) is left out; none at all is an error.
func Take(ctx context.Context, ns *os.File) (Snapshot, error) {
	s := Snapshot{}
	var errs []error
	for _, tool := range tools {
		out, err := runIn(ctx, ns, "", tool+"-save", "-t", "filter")
		if err != nil {
			errs = append(errs, err)
			continue
		}
		t, err := ParseSave(tool, out)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		s[tool] = t
	}
	if len(s) == 0 {
		return nil, fmt.Errorf("read the firewall tables of %s: %w", ns.Name(), errors.Join(errs...))
	}
	return s, nil
}

// Clean removes what CRIU's lock left in the namespace open as ns since
// before was taken: the CRIU chain if it is new, and the drop rules of the
// connections in locked. It returns what it removed, one entry per family,
// and fails if any of it is still there afterwards.
func Clean(ctx context.Context, ns *os.File, before Snapshot, locked []Conn) ([]Leftovers, error) {
	after, err := Take(ctx, ns)
	if err != nil {
		return nil, err
	}
	var removed []Leftovers
	for _, tool := range tools {
		t, ok := after[tool]
		if !ok {
			continue
		}
		l := FindLeftovers(before[tool], t, locked)
		if l.Empty() {
			continue
		}
		if _, err := runIn(ctx, ns, l.Script(), tool+"-restore", "-w", "--noflush"); err != nil {
			return removed, fmt.Errorf("remove CRIU's lock (%s): %w", l.Describe(), err)
		}
		removed = append(removed, l)
	}
	if len(removed) == 0 {
		return nil, nil
	}
	check, err := Take(ctx, ns)
	if err != nil {
		return removed, fmt.Errorf("check that CRIU's lock is gone: %w", err)
	}
	for _, l := range removed {
		if rest := FindLeftovers(before[l.Tool], check[l.Tool], locked); !rest.Empty() {
			return removed, fmt.Errorf("CRIU's lock is still there after removing it: %s", rest.Describe())
		}
	}
	return removed, nil
}

// runIn runs a program in the namespace open as ns, with stdin, and
// returns its stdout.
func runIn(ctx context.Context, ns *os.File, stdin, name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	if err := StartIn(cmd, ns); err != nil {
		return "", fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Wait(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(errb.String()))
	}
	return out.String(), nil
}
