package store

import "golang.org/x/sys/unix"

// renameNoReplace renames src to dst atomically and fails if dst exists, so
// two dumps racing for one name cannot overwrite each other.
func renameNoReplace(src, dst string) error {
	return unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_NOREPLACE)
}
