package criucmd

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// fallbackDirs are searched after PATH: scripts/setup.sh installs criu into
// /usr/local/sbin, distributions into /usr/sbin, and neither is always on
// the PATH of a non-login shell or a test harness.
var fallbackDirs = []string{"/usr/local/sbin", "/usr/sbin", "/sbin"}

// installAdvice ends every ErrNotFound message.
const installAdvice = "install CRIU 4.2 or newer with scripts/setup.sh, or pass --criu /path/to/criu"

// FindCriu returns the criu binary to run. A non-empty path (the --criu
// flag) must name an executable file; an empty one means "criu" on PATH,
// then in /usr/local/sbin, /usr/sbin and /sbin. Failures wrap ErrNotFound
// and say how to install criu.
func FindCriu(path string) (string, error) {
	if path != "" {
		if err := checkExecutable(path); err != nil {
			return "", fmt.Errorf("%w: --criu %s: %w; %s", ErrNotFound, path, err, installAdvice)
		}
		return path, nil
	}
	if p, err := exec.LookPath("criu"); err == nil {
		return p, nil
	}
	for _, dir := range fallbackDirs {
		p := filepath.Join(dir, "criu")
		if checkExecutable(p) == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: no criu on PATH or in %v; %s", ErrNotFound, fallbackDirs, installAdvice)
}

// checkExecutable reports why path is not a regular file with an execute bit.
func checkExecutable(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if fi.Mode().Perm()&0o111 == 0 {
		return errors.New("not executable")
	}
	return nil
}
