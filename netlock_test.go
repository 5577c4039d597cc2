//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/ckpt/ckpt/namespaces"
)

// nocriulock CONTAINER [PORT]: fails if the network namespace of the
// running CONTAINER holds what CRIU's network lock adds: the CRIU chain, or
// (with PORT) a per-connection DROP rule carrying CRIU's mark for that
// port, in the filter table of iptables or ip6tables.
func cmdNoCriuLock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 || len(args) > 2 {
		ts.Fatalf("usage: nocriulock CONTAINER [PORT]")
	}
	pid, err := dockerCmd(ts, "inspect", "-f", "{{.State.Pid}}", args[0]).Output()
	ts.Check(err)
	ns, err := os.Open("/proc/" + strings.TrimSpace(string(pid)) + "/ns/net")
	ts.Check(err)
	defer ns.Close()
	bad := []*regexp.Regexp{regexp.MustCompile(`(?m)^(:CRIU |-A \w+ -j CRIU$)`)}
	if len(args) == 2 {
		bad = append(bad, regexp.MustCompile(`(?mi)^-A .*! --mark 0xc114 .*--[sd]port `+regexp.QuoteMeta(args[1])+`\b.*-j DROP$`))
	}
	for _, tool := range []string{"iptables-save", "ip6tables-save"} {
		cmd := exec.Command(tool, "-t", "filter")
		var out bytes.Buffer
		cmd.Stdout = &out
		ts.Check(namespaces.StartIn(cmd, ns))
		ts.Check(cmd.Wait())
		for _, re := range bad {
			if m := re.FindString(out.String()); m != "" {
				ts.Fatalf("the network namespace of %s still holds CRIU's lock (%s): %s\n%s", args[0], tool, m, out.String())
			}
		}
	}
}
