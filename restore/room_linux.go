package restore

import "github.com/ckpt/ckpt/store"

// extractRoom is how many bytes an import may extract into dir: what its
// file system has free for root, less a reserve of 5% of it (at most
// 1 GiB) kept for the rest of the host, so that an archive that does not
// fit, or a compression bomb, is refused before it fills the disk.
func extractRoom(dir string) (int64, error) {
	free, size, err := store.Space(dir)
	if err != nil {
		return 0, err
	}
	return roomLeft(free, size), nil
}
