//go:build !linux

package namespaces

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
)

// StartIn starts cmd; joining a network namespace needs Linux.
func StartIn(cmd *exec.Cmd, ns *os.File) error {
	if ns != nil {
		return fmt.Errorf("join network namespace %s: not supported on %s", ns.Name(), runtime.GOOS)
	}
	return cmd.Start()
}

// Inode needs Linux namespaces.
func Inode(path string) (uint64, error) {
	return 0, fmt.Errorf("stat namespace %s: not supported on %s", path, runtime.GOOS)
}

// Snapshot is the filter tables of a network namespace, by family.
type Snapshot map[string]Table

// Take needs Linux.
func Take(context.Context, *os.File) (Snapshot, error) {
	return nil, fmt.Errorf("read firewall tables: not supported on %s", runtime.GOOS)
}

// Clean needs Linux.
func Clean(context.Context, *os.File, Snapshot, []Conn) ([]Leftovers, error) {
	return nil, fmt.Errorf("remove CRIU's lock: not supported on %s", runtime.GOOS)
}
