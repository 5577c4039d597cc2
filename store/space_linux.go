package store

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// Space returns the bytes free (for root) and the size of the file system
// that holds dir: what an import may extract there, and whether a failed
// dump ran out of room.
func Space(dir string) (free, size int64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return int64(st.Bfree) * st.Bsize, int64(st.Blocks) * st.Bsize, nil
}
