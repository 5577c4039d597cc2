package imageinfo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode decodes arbitrary bytes as an image; it must fail cleanly or
// give an image whose JSON encodes back to an image that decodes to the
// same JSON. The seed corpus is every protobuf image of the fixtures.
func FuzzDecode(f *testing.F) {
	for _, fx := range fixtures {
		for _, path := range imageFiles(f, fx) {
			b, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.img")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		js, err := DecodeFileJSON(path) // MarshalJSON fails on a string field that is not UTF-8
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := Encode(bytes.NewReader(js), &out); err != nil {
			t.Fatalf("decoded image does not encode: %v\n%s", err, js)
		}
		// Re-decoding what was encoded must give the same JSON.
		path2 := filepath.Join(dir, "fuzz2.img")
		if err := os.WriteFile(path2, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		img2, err := DecodeFile(path2)
		if err != nil {
			t.Fatalf("re-encoded image does not decode: %v", err)
		}
		js2, err := img2.MarshalJSON()
		if err != nil || !bytes.Equal(js, js2) {
			t.Fatalf("JSON changed across encode: %v\n%s\n%s", err, js, js2)
		}
	})
}

// FuzzShow puts fuzzed bytes in place of the core, mm or pagemap image of a
// real checkpoint and runs Show: it must return a summary or an error,
// never panic or hang.
func FuzzShow(f *testing.F) {
	targets := []string{"core-1.img", "mm-1.img", "pagemap-1.img"}
	for i, name := range targets {
		b, err := os.ReadFile(filepath.Join("testdata", "busybox", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), b)
	}
	dir := f.TempDir()
	ents, err := os.ReadDir(filepath.Join("testdata", "busybox"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("testdata", "busybox", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o600); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := targets[int(which)%len(targets)]
		orig, err := os.ReadFile(filepath.Join("testdata", "busybox", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(filepath.Join(dir, name), orig, 0o600)
		if s, err := Show(dir); err == nil && len(s.Processes) == 0 {
			t.Fatalf("Show succeeded with no processes")
		}
	})
}
