package criucmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeBinary writes an executable shell script named name into dir.
func fakeBinary(t *testing.T, dir, name, script string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFindCriuExplicit(t *testing.T) {
	dir := t.TempDir()
	exe := fakeBinary(t, dir, "criu", "exit 0")
	if got, err := FindCriu(exe); err != nil || got != exe {
		t.Errorf("FindCriu(%q) = %q, %v", exe, got, err)
	}

	noexec := filepath.Join(dir, "criu-noexec")
	if err := os.WriteFile(noexec, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing"), noexec, dir} {
		_, err := FindCriu(p)
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("FindCriu(%q) error = %v, want ErrNotFound", p, err)
			continue
		}
		if !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "scripts/setup.sh") {
			t.Errorf("FindCriu(%q) error %q should name the path and scripts/setup.sh", p, err)
		}
	}
}

func TestFindCriuOnPath(t *testing.T) {
	dir := t.TempDir()
	exe := fakeBinary(t, dir, "criu", "exit 0")
	t.Setenv("PATH", dir)
	if got, err := FindCriu(""); err != nil || got != exe {
		t.Errorf("FindCriu(\"\") with PATH=%s = %q, %v", dir, got, err)
	}
}

func TestFindCriuNowhere(t *testing.T) {
	old := fallbackDirs
	fallbackDirs = []string{t.TempDir()}
	t.Cleanup(func() { fallbackDirs = old })
	t.Setenv("PATH", t.TempDir())
	_, err := FindCriu("")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "scripts/setup.sh") {
		t.Errorf("FindCriu(\"\") with criu nowhere: %v", err)
	}
}

func TestFindCriuFallback(t *testing.T) {
	dir := t.TempDir()
	exe := fakeBinary(t, dir, "criu", "exit 0")
	old := fallbackDirs
	fallbackDirs = []string{filepath.Join(dir, "nope"), dir}
	t.Cleanup(func() { fallbackDirs = old })
	t.Setenv("PATH", t.TempDir())
	if got, err := FindCriu(""); err != nil || got != exe {
		t.Errorf("FindCriu(\"\") with criu only in a fallback dir = %q, %v", got, err)
	}
}
