package store

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCountProcesses(t *testing.T) {
	for _, tc := range []struct {
		file string
		want int
	}{
		{"testdata/pstree-1.img", 1},      // echo server
		{"testdata/pstree-forker.img", 4}, // forker and three children
	} {
		n, err := CountProcesses(tc.file)
		if err != nil || n != tc.want {
			t.Errorf("CountProcesses(%s) = %d, %v; want %d", tc.file, n, err, tc.want)
		}
	}
}

func TestCountProcessesBad(t *testing.T) {
	good, err := os.ReadFile("testdata/pstree-forker.img")
	if err != nil {
		t.Fatal(err)
	}
	inv := append([]byte{}, good...)
	inv[4] ^= 0xff // the pstree magic
	for name, b := range map[string][]byte{
		"empty":             nil,
		"only common magic": good[:4],
		"wrong magic":       inv,
		"truncated payload": good[:len(good)-3],
		"truncated size":    append(append([]byte{}, good...), 1, 0),
		"huge frame":        append(append([]byte{}, good[:8]...), 0xff, 0xff, 0xff, 0xff),
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "pstree.img")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if n, err := CountProcesses(p); !errors.Is(err, ErrBadImage) {
				t.Errorf("CountProcesses = %d, %v; want ErrBadImage", n, err)
			}
		})
	}
	if _, err := CountProcesses("testdata/nosuch.img"); err == nil {
		t.Error("CountProcesses of a missing file: no error")
	}
}
