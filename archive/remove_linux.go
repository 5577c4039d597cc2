package archive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// RemoveIn removes paths (absolute inside the container) from the root of
// process pid, resolving each one inside that root (openat2's
// RESOLVE_IN_ROOT: a symbolic link in the container cannot lead out of
// it). A folder goes with what it holds; a path already gone counts as
// removed. It returns how many were removed.
func RemoveIn(pid int, paths []string) (int, error) {
	if pid <= 0 {
		return 0, fmt.Errorf("remove files: the container has no process")
	}
	rootPath := fmt.Sprintf("/proc/%d/root", pid)
	root, err := unix.Open(rootPath, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", rootPath, err)
	}
	defer unix.Close(root)
	n := 0
	for _, p := range paths {
		clean, err := CleanName(strings.TrimPrefix(p, "/"))
		if err != nil {
			return n, err
		}
		dir, base := path.Split(clean)
		if dir == "" {
			dir = "."
		}
		how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
		fd, err := unix.Openat2(root, dir, how)
		if errors.Is(err, unix.ENOENT) {
			n++
			continue
		}
		if err != nil {
			return n, fmt.Errorf("remove %s: open its folder in the container: %w", p, err)
		}
		// The folder is held open: removing through its fd cannot be
		// redirected by a link the container swaps in meanwhile.
		err = os.RemoveAll(fmt.Sprintf("/proc/self/fd/%d/%s", fd, base))
		unix.Close(fd)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return n, fmt.Errorf("remove %s in the container: %w", p, err)
		}
		n++
	}
	return n, nil
}
