package store

import (
	"fmt"
	"os"
)

// Swap moves the folder built into place at final, which it must not
// replace unless replace is set: then an older final is moved aside first,
// put back if the rename fails, and removed only once built is in place.
// built and final must be on one filesystem (built is a hidden sibling of
// final), so that final is never missing, half-written or mixed. A folder
// appearing at final meanwhile is never overwritten.
func Swap(built, final string, replace bool) error {
	var old string
	if replace {
		if _, err := os.Lstat(final); err == nil {
			old = built + ".old" // hidden and unique, like built
			if err := os.Rename(final, old); err != nil {
				return fmt.Errorf("move %s aside: %w", final, err)
			}
		}
	}
	if err := renameNoReplace(built, final); err != nil {
		if old != "" {
			_ = os.Rename(old, final)
		}
		return fmt.Errorf("move %s into place: %w", final, err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("remove replaced %s: %w", old, err)
		}
	}
	return nil
}
