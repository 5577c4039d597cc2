package namespaces

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"

	"golang.org/x/sys/unix"
)

// StartIn starts cmd with its process in the network namespace open as ns
// (a /proc/<pid>/ns/net or a bind-mounted namespace file); nil starts it
// where ckpt runs. Only the child joins: the namespace is entered on a
// locked OS thread, the child is cloned from that thread and so inherits
// it, and the thread returns to its own namespace before Go may run
// anything else on it. A thread that cannot return stays locked and ends
// with its goroutine (Go parks it for good if it is the main thread).
func StartIn(cmd *exec.Cmd, ns *os.File) error {
	if ns == nil {
		return cmd.Start()
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("open this thread's network namespace: %w", err)
			return
		}
		defer own.Close()
		if err := unix.Setns(int(ns.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("join network namespace %s: %w", ns.Name(), err)
			return
		}
		err = cmd.Start()
		if unix.Setns(int(own.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// Inode returns the inode of a namespace file.
func Inode(path string) (uint64, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("stat namespace %s: %w", path, err)
	}
	return st.Ino, nil
}
