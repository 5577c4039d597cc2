package imageinfo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeTemp writes b to a file called name in a fresh folder.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func le32(vs ...uint32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// TestDecodeErrors feeds DecodeFile bad files and wants an error that names
// the file, carries the right sentinel and, where known, the offset.
func TestDecodeErrors(t *testing.T) {
	core, err := os.ReadFile("testdata/tree/core-1.img")
	if err != nil {
		t.Fatal(err)
	}
	m := magicMap()
	common, pstreeMagic := uint32(m.ByName["IMG_COMMON"]), uint32(m.ByName["PSTREE"])
	tests := []struct {
		name   string
		data   []byte
		want   error
		offset string
	}{
		{"empty", nil, ErrTruncated, "offset 0"},
		{"random", []byte("\x13\x37\xbe\xefnot a criu image at all"), ErrUnknownMagic, "offset 0"},
		{"wrong magic after IMG_COMMON", le32(common, 0xdeadbeef), ErrUnknownMagic, "offset 4"},
		{"magic without entry type", le32(common, uint32(m.ByName["KDAT"])), ErrUnsupportedMagic, "offset 4"},
		{"IPC shm refused", le32(common, uint32(m.ByName["IPCNS_SHM"])), ErrUnsupportedMagic, "offset 4"},
		{"truncated length", append(le32(common, pstreeMagic), 1, 2), ErrTruncated, "offset 8"},
		{"huge length prefix", le32(common, pstreeMagic, 0xfffffff0), ErrTooLarge, "offset 12"},
		{"truncated core", core[:100], ErrTooLarge, "offset 12"},
		{"garbage entry", append(le32(common, pstreeMagic, 4), 0xff, 0xff, 0xff, 0xff), ErrBadEntry, "offset 8"},
		// A PIPES_DATA entry (pipe_id 1, bytes 4 GiB-1) announcing more
		// data than the file holds.
		{"huge payload", append(le32(common, uint32(m.ByName["PIPES_DATA"]), 8), 0x08, 0x01, 0x10, 0xff, 0xff, 0xff, 0xff, 0x0f), ErrTooLarge, "offset 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, "x.img", tt.data)
			_, err := DecodeFile(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.offset) {
				t.Fatalf("error %q does not name %s at %s", err, path, tt.offset)
			}
		})
	}
	t.Run("raw pages", func(t *testing.T) {
		if _, err := DecodeFile("testdata/busybox/pages-1.img"); !errors.Is(err, ErrRawImage) {
			t.Fatalf("got %v, want ErrRawImage", err)
		}
	})
	t.Run("folder", func(t *testing.T) {
		if _, err := DecodeFile("testdata"); err == nil || !strings.Contains(err.Error(), "testdata") {
			t.Fatalf("got %v, want an error naming testdata", err)
		}
	})
}

// TestEncodeErrors feeds Encode bad JSON.
func TestEncodeErrors(t *testing.T) {
	tests := []struct{ name, json string }{
		{"not json", "{"},
		{"no magic", `{"entries":[]}`},
		{"unknown magic", `{"magic":"NOPE","entries":[]}`},
		{"unknown field", `{"magic":"PSTREE","entries":[{"pid":1,"bogus":2}]}`},
		{"extra on a magic without payload", `{"magic":"PSTREE","entries":[{"pid":1,"ppid":0,"pgid":1,"sid":1,"extra":"AAAA"}]}`},
		{"extra not a string", `{"magic":"PIPES_DATA","entries":[{"pipe_id":1,"bytes":3,"extra":1}]}`},
		{"extra of the wrong size", `{"magic":"PIPES_DATA","entries":[{"pipe_id":1,"bytes":5,"extra":"AAAA"}]}`},
		{"TCP_STREAM extra not an object", `{"magic":"TCP_STREAM","entries":[{"inq_len":0,"inq_seq":1,"outq_len":0,"outq_seq":1,"opt_mask":0,"snd_wscale":0,"mss_clamp":0,"extra":""}]}`},
		{"TCP_STREAM extra of the wrong size", `{"magic":"TCP_STREAM","entries":[{"inq_len":1,"inq_seq":1,"outq_len":0,"outq_seq":1,"opt_mask":0,"snd_wscale":0,"mss_clamp":0,"extra":{"inq":"","outq":""}}]}`},
		{"ghost without entries", `{"magic":"GHOST_FILE","entries":[]}`},
		{"null entry", `{"magic":"PSTREE","entries":[null]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := Encode(strings.NewReader(tt.json), &out); err == nil {
				t.Fatalf("no error; wrote %q", out.Bytes())
			}
		})
	}
}
