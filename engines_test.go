//go:build linux

package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"golang.org/x/sys/unix"
)

// testEngine is one Docker engine the end-to-end testscripts run against:
// each script runs once per engine, as the subtest TestScripts/<Name>/<script>.
type testEngine struct {
	Name  string // subtest name and script condition: "engine20"
	Short string // what CKPT_ENGINES names it by: "20"
	Host  string // its DOCKER_HOST
	// NetNS is the network namespace the engine runs in, where its
	// containers' addresses and published ports are reachable; "" for the
	// test's own.
	NetNS string
}

// testEngines are the engines `make test` runs: Debian's Engine 20.10
// (scripts/setup.sh) and Engine 29 in a network namespace of its own
// (scripts/engines.sh).
var testEngines = []testEngine{
	{Name: "engine20", Short: "20", Host: "unix:///var/run/docker.sock"},
	{Name: "engine29", Short: "29", Host: "unix:///run/ckpt-engines/29/docker.sock", NetNS: "/run/netns/ckpt-engine-29"},
}

// selectEngines picks the engines named in CKPT_ENGINES ("20", "29",
// "20,29"); all of them when it is empty.
func selectEngines(spec string) ([]testEngine, error) {
	if strings.TrimSpace(spec) == "" {
		return testEngines, nil
	}
	var picked []testEngine
	for _, s := range strings.Split(spec, ",") {
		s = strings.TrimPrefix(strings.TrimSpace(s), "engine")
		found := false
		for _, e := range testEngines {
			if e.Short == s {
				picked = append(picked, e)
				found = true
			}
		}
		if !found {
			var known []string
			for _, e := range testEngines {
				known = append(known, e.Short)
			}
			return nil, fmt.Errorf("CKPT_ENGINES=%q: no engine %q; known: %s", spec, s, strings.Join(known, ", "))
		}
	}
	return picked, nil
}

// dockerCmd is the docker CLI aimed at the script's engine.
func dockerCmd(ts *testscript.TestScript, args ...string) *exec.Cmd {
	return dockerAt(ts.Getenv("DOCKER_HOST"), args...)
}

// dockerAt runs the docker CLI against the engine at host.
func dockerAt(host string, args ...string) *exec.Cmd {
	cmd := exec.Command("docker", args...)
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+host)
	return cmd
}

// engineNetCmd runs a program in the network namespace of the script's
// engine (ENGINE_NETNS), or as it is when the engine shares the test's.
func engineNetCmd(ts *testscript.TestScript, prog string, args ...string) *exec.Cmd {
	if ns := ts.Getenv("ENGINE_NETNS"); ns != "" {
		return exec.Command("nsenter", append([]string{"--net=" + ns, "--", prog}, args...)...)
	}
	return exec.Command(prog, args...)
}

// enginenet PROG [ARGS...]: runs PROG where the engine's published ports
// and container addresses are reachable (its network namespace), like exec;
// with !, PROG must fail.
func cmdEngineNet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: enginenet PROG [ARGS...]")
	}
	cmd := engineNetCmd(ts, args[0], args[1:]...)
	cmd.Dir = ts.MkAbs(".")
	cmd.Stdout, cmd.Stderr = ts.Stdout(), ts.Stderr()
	err := cmd.Run()
	switch {
	case err != nil && !neg:
		ts.Fatalf("enginenet %s: %v", strings.Join(args, " "), err)
	case err == nil && neg:
		ts.Fatalf("enginenet %s: unexpected success", strings.Join(args, " "))
	}
}

// httpClient dials from the engine's network namespace when it has one.
func httpClient(netns string) *http.Client {
	d := &net.Dialer{Timeout: 2 * time.Second}
	tr := &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}
	if netns != "" {
		tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			return dialInNetNS(ctx, d, netns, network, addr)
		}
	}
	return &http.Client{Timeout: 2 * time.Second, Transport: tr}
}

// dialInNetNS connects from the network namespace at path: the socket is
// made on a thread moved into that namespace, and stays there.
func dialInNetNS(ctx context.Context, d *net.Dialer, path, network, addr string) (net.Conn, error) {
	type result struct {
		c   net.Conn
		err error
	}
	ch := make(chan result, 1)
	go func() {
		// The thread is not unlocked: it ends with this goroutine, so the
		// runtime never reuses a thread left in another namespace.
		runtime.LockOSThread()
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			ch <- result{err: fmt.Errorf("open %s: %w", path, err)}
			return
		}
		defer unix.Close(fd)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			ch <- result{err: fmt.Errorf("enter network namespace %s: %w", path, err)}
			return
		}
		c, err := d.DialContext(ctx, network, addr)
		ch <- result{c, err}
	}()
	r := <-ch
	return r.c, r.err
}
