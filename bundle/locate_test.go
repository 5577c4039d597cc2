package bundle

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mkBundle makes dir with a config.json (or without, when withConfig is false).
func mkBundle(t *testing.T, dir string, withConfig bool) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if withConfig {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLocateBundle(t *testing.T) {
	tmp := t.TempDir()
	const id = "0123abcd"
	explicit := mkBundle(t, filepath.Join(tmp, "explicit"), true)
	empty := mkBundle(t, filepath.Join(tmp, "empty"), false)
	shim := mkBundle(t, filepath.Join(tmp, "shim"), true)
	nsBundle := mkBundle(t, filepath.Join(tmp, "v2", "moby", id), true)
	mkBundle(t, filepath.Join(tmp, "v2", "k8s.io", "other"), true)
	globs := []string{
		filepath.Join(tmp, "missing", "%s"),
		filepath.Join(tmp, "v2", "*", "%s"),
	}

	tests := []struct {
		name     string
		id       string
		explicit string
		shimCwd  string
		want     string
		wantErr  error
	}{
		{"explicit wins", id, explicit, shim, explicit, nil},
		{"explicit without config.json is an error", id, empty, shim, "", ErrNoBundle},
		{"shim cwd", id, "", shim, shim, nil},
		{"shim cwd without config.json falls back to state roots", id, "", empty, nsBundle, nil},
		{"state root glob over namespaces", id, "", "", nsBundle, nil},
		{"nothing found", "ffff", "", "", "", ErrNoBundle},
		{"id with glob characters is refused", "*", "", "", "", ErrNoBundle},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := locateBundle("web", tt.id, tt.explicit, tt.shimCwd, globs)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), "web") {
				t.Errorf("error %q does not name the container", err)
			}
			if got != tt.want {
				t.Errorf("bundle = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParentPID(t *testing.T) {
	status := "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t9863\nNgid:\t0\nPid:\t9863\nPPid:\t9842\nTracerPid:\t0\n"
	if got, err := parentPID(status); err != nil || got != 9842 {
		t.Errorf("parentPID = %d, %v; want 9842", got, err)
	}
	if _, err := parentPID("Name:\tx\n"); err == nil {
		t.Error("parentPID without a PPid line succeeded")
	}
	if _, err := parentPID("PPid:\tabc\n"); err == nil {
		t.Error("parentPID with a bad number succeeded")
	}
}
