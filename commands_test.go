package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// Off Linux, every command but images and list says it needs Linux, and
// those two read a checkpoint folder.
func TestOtherSystems(t *testing.T) {
	cmds := onlyOnLinux("darwin", []*cli.Command{
		checkCommand(), dumpCommand(), mountsCommand(), restoreCommand(),
		listCommand(), rmCommand(), imagesCommand(),
	}, "images", "list")
	app := &cli.App{Name: "ckpt", Commands: cmds, Writer: &bytes.Buffer{}, ErrWriter: &bytes.Buffer{}, ExitErrHandler: func(*cli.Context, error) {}}
	for cmd, args := range map[string][]string{
		"check": {"check"}, "dump": {"dump", "web"}, "restore": {"restore", "web"},
		"rm": {"rm", "web", "c1"}, "mounts explain": {"mounts", "explain", "web"},
	} {
		err := app.Run(append([]string{"ckpt"}, args...))
		if err == nil || !strings.HasPrefix(err.Error(), cmd+" needs Linux") || !strings.Contains(err.Error(), "on darwin") {
			t.Errorf("ckpt %v: %v, want it to say it needs Linux", args, err)
		}
	}
	var out bytes.Buffer
	app.Writer = &out
	if err := app.Run([]string{"ckpt", "list", "--dir", filepath.Join("store", "testdata", "release1")}); err != nil {
		t.Fatalf("list: %v", err)
	}
	if !strings.Contains(out.String(), "ii-fx-busybox") {
		t.Errorf("list printed %q", out.String())
	}
	out.Reset()
	dir := filepath.Join("store", "testdata", "release1", "ii-fx-busybox", "fixture")
	if err := app.Run([]string{"ckpt", "images", "decode", filepath.Join(dir, "pstree.img")}); err != nil {
		t.Fatalf("images decode: %v", err)
	}
	if !strings.Contains(out.String(), "PSTREE") {
		t.Errorf("images decode printed %q", out.String())
	}
}
