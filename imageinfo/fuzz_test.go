package imageinfo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode decodes arbitrary bytes as an image; it must fail cleanly or
// give an image whose JSON encodes back to the same bytes. The seed corpus
// is every protobuf image of the fixtures.
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
		img, err := DecodeFile(path)
		if err != nil {
			return
		}
		js, err := img.MarshalJSON()
		if err != nil {
			return // e.g. a string field that is not UTF-8
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
