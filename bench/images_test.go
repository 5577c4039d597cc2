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
	benchImages(b, func(path string) error {
		_, err := imageinfo.DecodeFileJSON(path)
		return err
	})
}

// BenchmarkDecodeTyped measures DecodeFile (go-criu's types) followed by
// MarshalJSON, the path that `ckpt images encode` inverts.
func BenchmarkDecodeTyped(b *testing.B) {
	benchImages(b, func(path string) error {
		img, err := imageinfo.DecodeFile(path)
		if err == nil {
			_, err = img.MarshalJSON()
		}
		return err
	})
}

// benchImages runs decode on core-1.img, mm-1.img and pagemap-1.img of the
// checkpoint, one sub-benchmark each.
func benchImages(b *testing.B, decode func(path string) error) {
	dir := benchDir(b)
	for _, name := range []string{"core-1.img", "mm-1.img", "pagemap-1.img"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join(dir, name)
			for b.Loop() {
				if err := decode(path); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
