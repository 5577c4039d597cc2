// Package bench holds benchmarks that need a real, large checkpoint; they
// are not part of CI. images.sh makes the checkpoint and runs them.
package bench

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ckpt/ckpt/imageinfo"
)

// benchDir is the checkpoint to measure, from CKPT_BENCH_DIR.
func benchDir(b *testing.B) string {
	dir := os.Getenv("CKPT_BENCH_DIR")
	if dir == "" {
		b.Skip("CKPT_BENCH_DIR is not set; see bench/images.sh")
	}
	return dir
}

// BenchmarkShow measures Show and its tree rendering in-process, without
// the CLI's start-up cost.
func BenchmarkShow(b *testing.B) {
	dir := benchDir(b)
	for b.Loop() {
		s, err := imageinfo.Show(dir)
		if err != nil {
			b.Fatal(err)
		}
		if err := s.WriteTree(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode measures DecodeFileJSON, what `ckpt images decode` runs,
// on the images crit is compared on.
func BenchmarkDecode(b *testing.B) {
	dir := benchDir(b)
	for _, name := range []string{"pagemap-1.img", "seccomp.img", "cgroup.img", "core-1.img", "mm-1.img"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(dir, name)
			for b.Loop() {
				if _, err := imageinfo.DecodeFileJSON(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
