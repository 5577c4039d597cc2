//go:build !ckpt_front

package main

import (
	"bytes"
	"debug/buildinfo"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// buildCkpt builds this package with the given tags into dir/name, as
// make build does.
func buildCkpt(t *testing.T, dir, name, tags string) string {
	t.Helper()
	out := filepath.Join(dir, name)
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", tags, "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -tags %s: %v\n%s", tags, err, b)
	}
	return out
}

// run runs bin with argv[0] set to argv0 and returns its stdout, stderr
// and exit code.
func runBin(t *testing.T, bin, argv0 string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Args[0] = argv0
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()
}

// TestFront builds the images-only front and the whole ckpt as make build
// does, and wants the front to run `ckpt images` alone, without linking the
// Docker client, and to hand every other command to the engine beside it
// so that it behaves as the engine does; without the engine, a clear
// error.
func TestFront(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	dir := t.TempDir()
	front := buildCkpt(t, dir, "ckpt", "urfave_cli_no_docs,ckpt_front")
	lonely := filepath.Join(t.TempDir(), "ckpt")
	if err := os.Link(front, lonely); err != nil {
		t.Fatal(err)
	}

	info, err := buildinfo.ReadFile(front)
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range info.Deps {
		if strings.HasPrefix(dep.Path, "github.com/docker/") || dep.Path == "github.com/distribution/reference" {
			t.Errorf("the front links %s", dep.Path)
		}
	}

	// The front alone decodes, as the whole ckpt does.
	img := filepath.Join("imageinfo", "testdata", "tree", "pstree.img")
	frontOut, frontErr, code := runBin(t, lonely, "ckpt", "images", "decode", img)
	if code != 0 || !strings.HasPrefix(frontOut, `{"magic":"PSTREE"`) {
		t.Fatalf("front images decode: exit %d, %q, %q", code, frontOut, frontErr)
	}
	engine := buildCkpt(t, dir, "ckpt-engine", "urfave_cli_no_docs")
	engineOut, _, _ := runBin(t, engine, "ckpt", "images", "decode", img)
	if frontOut != engineOut {
		t.Fatalf("front and engine decode differently:\n%s\n%s", frontOut, engineOut)
	}

	// Every other command is the engine's: output, errors and exit code.
	for _, args := range [][]string{{"--help"}, {"dump", "--help"}, {"dump"}, {"restore", "a", "b", "c"}} {
		fo, fe, fc := runBin(t, front, "ckpt", args...)
		eo, ee, ec := runBin(t, engine, "ckpt", args...)
		if fo != eo || fe != ee || fc != ec {
			t.Errorf("ckpt %v: front gave exit %d %q %q, engine exit %d %q %q", args, fc, fo, fe, ec, eo, ee)
		}
	}
	if out, _, _ := runBin(t, front, "ckpt", "--help"); !strings.Contains(out, "restore") {
		t.Errorf("ckpt --help through the front lacks the engine's commands:\n%s", out)
	}

	// Without the engine beside it, the front says what is missing.
	_, stderr, code := runBin(t, lonely, "ckpt", "list")
	if code != 1 || !strings.Contains(stderr, "ckpt-engine, which is missing") || !strings.Contains(stderr, "make build") {
		t.Fatalf("front without engine: exit %d, %q", code, stderr)
	}
}
