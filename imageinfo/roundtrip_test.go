package imageinfo

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixtures lists the checkpoints under testdata.
var fixtures = []string{"busybox", "tcp", "tree", "threads"}

// imageFiles returns the protobuf images of a fixture: every *.img and
// stats-dump, minus the raw images.
func imageFiles(t testing.TB, fixture string) []string {
	t.Helper()
	dir := filepath.Join("testdata", fixture)
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range names {
		name := n.Name()
		if (strings.HasSuffix(name, ".img") || name == "stats-dump") && !isRawImage(name) {
			out = append(out, filepath.Join(dir, name))
		}
	}
	if len(out) < 10 {
		t.Fatalf("%s: only %d images", dir, len(out))
	}
	return out
}

// TestRoundTrip decodes every image of every fixture to JSON and encodes it
// back, and wants the original bytes.
func TestRoundTrip(t *testing.T) {
	magics := map[string]bool{}
	for _, fx := range fixtures {
		for _, path := range imageFiles(t, fx) {
			t.Run(strings.TrimPrefix(path, "testdata/"), func(t *testing.T) {
				orig, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				img, err := DecodeFile(path)
				if err != nil {
					t.Fatal(err)
				}
				magics[img.Magic] = true
				js, err := img.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				var out bytes.Buffer
				if err := Encode(bytes.NewReader(js), &out); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out.Bytes(), orig) {
					t.Fatalf("re-encoded %d bytes differ from the %d original bytes", out.Len(), len(orig))
				}
			})
		}
	}
	// The fixtures must cover the magics with payloads and the special ones.
	for _, m := range []string{"PAGEMAP", "TCP_STREAM", "PIPES_DATA", "INVENTORY", "STATS", "CORE", "MM", "FILES"} {
		if !magics[m] {
			t.Errorf("no fixture image has magic %s", m)
		}
	}
}
