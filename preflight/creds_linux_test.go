package preflight

import (
	"os"
	"testing"
)

// ckpt's own process is never foreign, and a process that is gone is
// skipped, whatever capabilities the test runs with.
func TestCheckUsersSelf(t *testing.T) {
	if _, err := SelfCreds(); err != nil {
		t.Fatal(err)
	}
	if err := CheckUsers([]int{os.Getpid(), 1 << 30}); err != nil {
		t.Errorf("CheckUsers(self, a pid that does not exist) = %v, want nil", err)
	}
}
