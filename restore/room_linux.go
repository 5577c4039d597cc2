package restore

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// extractRoom is how many bytes an import may extract into dir: what its
// file system has free for root, less a reserve of 5% of it (at most
// 1 GiB) kept for the rest of the host, so that an archive that does not
// fit, or a compression bomb, is refused before it fills the disk.
func extractRoom(dir string) (int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("free space of %s: %w", dir, err)
	}
	return roomLeft(int64(st.Bfree)*st.Bsize, int64(st.Blocks)*st.Bsize), nil
}
