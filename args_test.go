package main

import (
	"slices"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestInterspersed(t *testing.T) {
	global := []cli.Flag{hostFlag()}
	cmds := commands()
	for _, tc := range []struct {
		in, want []string
	}{
		{[]string{"ckpt", "dump", "web", "--name", "c1"}, []string{"ckpt", "dump", "--name", "c1", "--", "web"}},
		{[]string{"ckpt", "-H", "unix:///x.sock", "dump", "web", "--dir", "/d"}, []string{"ckpt", "-H", "unix:///x.sock", "dump", "--dir", "/d", "--", "web"}},
		{[]string{"ckpt", "--host=tcp://h:2375", "restore", "web", "--as", "w2"}, []string{"ckpt", "--host=tcp://h:2375", "restore", "--as", "w2", "--", "web"}},
		{[]string{"ckpt", "mounts", "explain", "web", "--json"}, []string{"ckpt", "mounts", "explain", "--json", "--", "web"}},
		{[]string{"ckpt", "list"}, []string{"ckpt", "list"}},
		{[]string{"ckpt", "dump", "--name", "--json", "web"}, []string{"ckpt", "dump", "--name", "--json", "--", "web"}},
	} {
		if got := interspersed(global, cmds, tc.in); !slices.Equal(got, tc.want) {
			t.Errorf("interspersed(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// -H reaches the commands as --host, as docker's does.
func TestHostFlag(t *testing.T) {
	var got string
	app := &cli.App{Name: "ckpt", Flags: []cli.Flag{hostFlag()}, Commands: []*cli.Command{{
		Name: "x", Action: func(c *cli.Context) error { got = c.String("host"); return nil },
	}}}
	if err := app.Run([]string{"ckpt", "-H", "tcp://h:2375", "x"}); err != nil || got != "tcp://h:2375" {
		t.Errorf("host = %q, %v", got, err)
	}
}
