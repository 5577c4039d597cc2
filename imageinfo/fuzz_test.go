package imageinfo

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
)

// FuzzDecode decodes arbitrary bytes as an image; it must fail cleanly or
// give an image whose JSON encodes back to the same bytes, and
// DecodeFileJSON must agree with DecodeFile followed by MarshalJSON. The seed corpus
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
		fast, fastErr := DecodeFileJSON(path)
		img, err := DecodeFile(path)
		var js []byte
		if err == nil {
			js, err = img.MarshalJSON() // fails on a string field that is not UTF-8
		}
		if (err != nil) != (fastErr != nil) || !bytes.Equal(fast, js) {
			t.Fatalf("DecodeFileJSON (%v) and DecodeFile+MarshalJSON (%v) disagree:\n%s\n%s", fastErr, err, fast, js)
		}
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

// FuzzWireJSON writes the JSON of arbitrary bytes as an entry of one of
// the entry types straight from the wire, and wants what go-protobuf gives
// (proto.Unmarshal, then protojson, plus the unknown fields): the same
// value, or an error from both. The seed corpus is every entry of the
// fixtures' images, with its type.
func FuzzWireJSON(f *testing.F) {
	types := entryTypeList()
	index := map[string]int{}
	for i, name := range types {
		index[name] = i
	}
	for _, fx := range fixtures {
		for _, path := range imageFiles(f, fx) {
			img, err := DecodeFile(path)
			if err != nil {
				f.Fatal(err)
			}
			for i, e := range img.Entries {
				b, err := proto.Marshal(e.Message)
				if err != nil {
					f.Fatal(err)
				}
				name := img.Magic
				if i == 0 && (name == "PAGEMAP" || name == "GHOST_FILE") {
					name += "/head"
				}
				f.Add(uint16(index[name]), b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, which uint16, data []byte) {
		name := types[int(which)%len(types)]
		magicName, index := name, 0
		if m, ok := strings.CutSuffix(name, "/head"); ok {
			magicName = m
		} else if name == "PAGEMAP" || name == "GHOST_FILE" {
			index = 1 // past the head
		}
		m, err := newEntry(magicName, index)
		if err != nil {
			t.Fatal(err)
		}
		checkAgainstReference(t, m, data)
	})
}

// entryTypeList names every entry type, sorted: each magic's, plus
// "PAGEMAP/head" and "GHOST_FILE/head" for the first entries of those.
func entryTypeList() []string {
	var out []string
	for name := range entryTypes {
		out = append(out, name)
	}
	out = append(out, "PAGEMAP/head", "GHOST_FILE/head")
	slices.Sort(out)
	return out
}

// FuzzShow puts fuzzed bytes in place of the core, mm or pagemap image of a
// real checkpoint and runs Show, whose readers walk those images' wire
// format directly (lite.go): it must return a summary or an error, never
// panic or hang.
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
