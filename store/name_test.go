package store

import (
	"errors"
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, bad := range []string{"", ".", "..", "a/b", "/abs", "../up", ".hidden", "nul\x00", "tab\there", "nl\n", "esc\x1b[31m", "del\x7f", strings.Repeat("x", 201)} {
		if err := ValidName("checkpoint name", bad); !errors.Is(err, ErrBadName) {
			t.Errorf("ValidName(%q) = %v, want ErrBadName", bad, err)
		}
	}
	for _, good := range []string{"a", "ckpt-20261129-150405", "my.app", "x..y", "über"} {
		if err := ValidName("checkpoint name", good); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", good, err)
		}
	}
}
