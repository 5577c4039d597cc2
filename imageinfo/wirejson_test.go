package imageinfo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	ghost_file "github.com/checkpoint-restore/go-criu/v8/crit/images/ghost-file"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/netdev"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pagemap"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/pstree"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/sysctl"
	"github.com/checkpoint-restore/go-criu/v8/crit/images/vma"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The oracle for the JSON written from wire bytes (wirejson.go) is
// go-protobuf itself: proto.Unmarshal into go-criu's type, then protojson,
// plus the unknown fields that go-protobuf keeps, added by reference below.

// referenceJSON returns the JSON form of the entry b of type msg's, made by
// proto.Unmarshal and protojson, as a generic value; err if either fails.
func referenceJSON(msg proto.Message, b []byte) (any, error) {
	m := msg.ProtoReflect().New().Interface()
	if err := proto.Unmarshal(b, m); err != nil {
		return nil, err
	}
	js, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	obj, err := decodeGeneric(js)
	if err != nil {
		return nil, err
	}
	addUnknownRef(m.ProtoReflect(), obj)
	return obj, nil
}

// addUnknownRef walks m and the generic JSON object obj made from it, in
// step, and records m's unknown fields (and those of nested messages) in
// obj under unknownKey.
func addUnknownRef(m protoreflect.Message, obj map[string]any) {
	if u := m.GetUnknown(); len(u) > 0 {
		obj[unknownKey] = base64.StdEncoding.EncodeToString(u)
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		key := string(fd.Name())
		if fd.IsList() {
			arr, _ := obj[key].([]any)
			for i := 0; i < v.List().Len() && i < len(arr); i++ {
				if sub, ok := arr[i].(map[string]any); ok {
					addUnknownRef(v.List().Get(i).Message(), sub)
				}
			}
		} else if sub, ok := obj[key].(map[string]any); ok {
			addUnknownRef(v.Message(), sub)
		}
		return true
	})
}

// wireJSON returns the JSON form of entry b of msg's type written straight
// from the wire, as a generic value, and checks that it is valid compact
// JSON.
func wireJSON(t testing.TB, msg proto.Message, b []byte) (any, error) {
	out, err := new(wireEncoder).appendMessage(nil, msg.ProtoReflect().Descriptor(), b)
	if err != nil {
		return nil, err
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, out); err != nil || !bytes.Equal(compact.Bytes(), out) {
		t.Fatalf("not compact valid JSON (%v): %s", err, out)
	}
	obj, err := decodeGeneric(out)
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	return obj, nil
}

// checkAgainstReference wants the wire JSON of b and the reference to agree:
// both fail, or both give the same value.
func checkAgainstReference(t testing.TB, msg proto.Message, b []byte) {
	t.Helper()
	got, gotErr := wireJSON(t, msg, b)
	want, wantErr := referenceJSON(msg, b)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("%T %x: wire JSON error %v, reference error %v", msg, b, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%T %x:\nwire JSON %v\nreference %v", msg, b, got, want)
	}
}

// TestDecodeFileJSON wants, for every image of the fixtures, DecodeFileJSON
// to give exactly the bytes of DecodeFile followed by MarshalJSON, and each
// entry to match the reference.
func TestDecodeFileJSON(t *testing.T) {
	for _, fx := range fixtures {
		for _, path := range imageFiles(t, fx) {
			t.Run(strings.TrimPrefix(path, "testdata/"), func(t *testing.T) {
				fast, err := DecodeFileJSON(path)
				if err != nil {
					t.Fatal(err)
				}
				img, err := DecodeFile(path)
				if err != nil {
					t.Fatal(err)
				}
				slow, err := img.MarshalJSON()
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(fast, slow) {
					t.Fatalf("DecodeFileJSON and MarshalJSON differ:\n%s\n%s", fast, slow)
				}
				var doc struct{ Entries []map[string]any }
				d := json.NewDecoder(bytes.NewReader(fast))
				d.UseNumber()
				if err := d.Decode(&doc); err != nil {
					t.Fatal(err)
				}
				for i, e := range img.Entries {
					b, err := proto.Marshal(e.Message)
					if err != nil {
						t.Fatal(err)
					}
					want, err := referenceJSON(e.Message, b)
					if err != nil {
						t.Fatal(err)
					}
					got := doc.Entries[i]
					delete(got, "extra")
					if !reflect.DeepEqual(any(got), want) {
						t.Fatalf("entry %d:\nwire JSON %v\nreference %v", i, got, want)
					}
				}
			})
		}
	}
}

// TestWireJSONRules checks protobuf's wire rules, one case each, against
// written-out JSON and against the reference.
func TestWireJSONRules(t *testing.T) {
	tag := func(num protowire.Number, typ protowire.Type) []byte { return protowire.AppendTag(nil, num, typ) }
	varint := func(num protowire.Number, v uint64) []byte {
		return protowire.AppendVarint(tag(num, protowire.VarintType), v)
	}
	bytesField := func(num protowire.Number, b []byte) []byte {
		return protowire.AppendBytes(tag(num, protowire.BytesType), b)
	}
	cat := func(bs ...[]byte) []byte { return bytes.Join(bs, nil) }
	pid := varint(1, 7) // pstree_entry: pid 1, ppid 2, pgid 3, sid 4, threads 5 (repeated uint32)
	ids := cat(varint(2, 1), varint(3, 1), varint(4, 1))
	tests := []struct {
		name string
		msg  proto.Message
		b    []byte
		want string // "" for an error
	}{
		{"fields in declaration order", &pstree.PstreeEntry{}, cat(varint(4, 1), varint(3, 1), varint(2, 1), pid),
			`{"pid":7,"ppid":1,"pgid":1,"sid":1}`},
		{"last scalar wins", &pstree.PstreeEntry{}, cat(pid, ids, varint(1, 9)), `{"pid":9,"ppid":1,"pgid":1,"sid":1}`},
		{"repeated, unpacked then packed", &pstree.PstreeEntry{}, cat(pid, ids, varint(5, 7), bytesField(5, []byte{8, 9})),
			`{"pid":7,"ppid":1,"pgid":1,"sid":1,"threads":[7,8,9]}`},
		{"empty packed run is no value", &pstree.PstreeEntry{}, cat(pid, ids, bytesField(5, nil)), `{"pid":7,"ppid":1,"pgid":1,"sid":1}`},
		{"wrong wire type is unknown", &pstree.PstreeEntry{}, cat(pid, ids, protowire.AppendFixed32(tag(5, protowire.Fixed32Type), 1)),
			`{"pid":7,"ppid":1,"pgid":1,"sid":1,"_unknown":"LQEAAAA="}`},
		{"unknown field number", &pstree.PstreeEntry{}, cat(varint(99, 1), pid, ids), `{"pid":7,"ppid":1,"pgid":1,"sid":1,"_unknown":"mAYB"}`},
		{"uint32 cut to 32 bits", &pstree.PstreeEntry{}, cat(varint(1, 1<<32+5), ids), `{"pid":5,"ppid":1,"pgid":1,"sid":1}`},
		{"missing required field", &pstree.PstreeEntry{}, cat(pid, varint(2, 1)), ""},
		{"truncated varint", &pstree.PstreeEntry{}, cat(pid, ids, []byte{0x08, 0x80}), ""},
		{"field number 0", &pstree.PstreeEntry{}, cat([]byte{0x00, 0x01}, pid, ids), ""},
		{"end group at top level", &pstree.PstreeEntry{}, cat(pid, ids, tag(9, protowire.EndGroupType)), ""},
		{"unknown group kept", &pstree.PstreeEntry{}, cat(pid, ids, tag(9, protowire.StartGroupType), varint(1, 1), tag(9, protowire.EndGroupType)),
			`{"pid":7,"ppid":1,"pgid":1,"sid":1,"_unknown":"SwgBTA=="}`},
		// pagemap_entry: vaddr 1 (uint64), nr_pages 2, in_parent 3 (bool).
		{"64-bit quoted, bool from any non-zero varint", &pagemap.PagemapEntry{}, cat(varint(1, 1<<40), varint(2, 3), varint(3, 2)),
			`{"vaddr":"1099511627776","compat_nr_pages":3,"in_parent":true}`},
		// sysctl_entry: type 1 (enum SysctlType), iarg 2 (int32), sarg 3 (string).
		{"enum by name, negative int32, escaped string", &sysctl.SysctlEntry{}, cat(varint(1, 5), varint(2, uint64(1<<64-3)), bytesField(3, []byte("a\"b\n\x01"))),
			`{"type":"CTL_STR","iarg":-3,"sarg":"a\"b\n\u0001"}`},
		{"unknown enum value as a number", &sysctl.SysctlEntry{}, varint(1, 77), `{"type":77}`},
		{"string not UTF-8", &sysctl.SysctlEntry{}, cat(varint(1, 5), bytesField(3, []byte{0xff})), ""},
		{"only the last string counts", &sysctl.SysctlEntry{}, cat(varint(1, 5), bytesField(3, []byte{0xff}), bytesField(3, []byte("ok"))),
			`{"type":"CTL_STR","sarg":"ok"}`},
		// vma_entry: eight required fields, fd 8 is sint64.
		{"sint64 zigzag", &vma.VmaEntry{}, cat(varint(1, 0), varint(2, 0), varint(3, 0), varint(4, 0), varint(5, 0), varint(6, 0), varint(7, 0), varint(8, 3)),
			`{"start":"0","end":"0","pgoff":"0","shmid":"0","prot":0,"flags":0,"status":0,"fd":"-2"}`},
		// ghost_file_entry: uid 1, gid 2, mode 3 required; atim 7 a timeval
		// (tv_sec 1, tv_usec 2, both required); symlnk_target 11.
		{"singular message occurrences merge", &ghost_file.GhostFileEntry{}, cat(varint(1, 0), varint(2, 0), varint(3, 0), bytesField(7, varint(1, 5)), bytesField(7, varint(2, 6))),
			`{"uid":0,"gid":0,"mode":0,"atim":{"tv_sec":"5","tv_usec":"6"}}`},
		{"required field missing in a nested message", &ghost_file.GhostFileEntry{}, cat(varint(1, 0), varint(2, 0), varint(3, 0), bytesField(7, varint(1, 5))), ""},
		{"nested message not valid wire data", &ghost_file.GhostFileEntry{}, cat(varint(1, 0), varint(2, 0), varint(3, 0), bytesField(7, []byte{0x08})), ""},
		{"unknown field inside a nested message", &ghost_file.GhostFileEntry{}, cat(varint(1, 0), varint(2, 0), varint(3, 0), bytesField(7, cat(varint(1, 5), varint(2, 6), varint(3, 1)))),
			`{"uid":0,"gid":0,"mode":0,"atim":{"tv_sec":"5","tv_usec":"6","_unknown":"GAE="}}`},
		// netdev: address 7 is bytes.
		{"bytes in base64", &netdev.NetDeviceEntry{}, cat(varint(1, 1), varint(2, 1), varint(3, 0), varint(4, 0), bytesField(5, []byte("lo")), bytesField(7, []byte{0, 1, 0xff})),
			`{"type":"LOOPBACK","ifindex":1,"mtu":0,"flags":0,"name":"lo","address":"AAH/"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := new(wireEncoder).appendMessage(nil, tt.msg.ProtoReflect().Descriptor(), tt.b)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("want an error, got %s", out)
				}
			} else if err != nil || string(out) != tt.want {
				t.Fatalf("got %s (%v), want %s", out, err, tt.want)
			}
			checkAgainstReference(t, tt.msg, tt.b)
		})
	}
}

// TestAppendJSONString wants protojson's escaping: quotes, backslashes and
// control characters, nothing else; and invalid UTF-8 refused.
func TestAppendJSONString(t *testing.T) {
	for in, want := range map[string]string{
		"plain /path <&>":    `"plain /path <&>"`,
		"q\"b\\":             `"q\"b\\"`,
		"\b\f\n\r\t\x00\x1f": `"\b\f\n\r\t\u0000\u001f"`,
		"é→\u2028\ufffd":     "\"é→\u2028\ufffd\"",
	} {
		got, err := appendJSONString(nil, in)
		if err != nil || string(got) != want {
			t.Errorf("%q: got %s (%v), want %s", in, got, err, want)
		}
	}
	if _, err := appendJSONString(nil, "bad \xff"); err == nil {
		t.Error("invalid UTF-8 accepted")
	}
}

// TestWireJSONSchema walks every message type reachable from the entry
// types and wants only what wirejson.go supports: proto2, no oneofs, maps,
// extensions, groups, floating-point or well-known types (whose JSON form
// protojson special-cases).
func TestWireJSONSchema(t *testing.T) {
	seen := map[protoreflect.FullName]bool{}
	var walk func(md protoreflect.MessageDescriptor)
	walk = func(md protoreflect.MessageDescriptor) {
		if seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		if md.Syntax() != protoreflect.Proto2 || md.Oneofs().Len() > 0 || md.ExtensionRanges().Len() > 0 || md.IsMapEntry() ||
			strings.HasPrefix(string(md.FullName()), "google.protobuf.") {
			t.Errorf("%s: unsupported message shape", md.FullName())
		}
		for i := 0; i < md.Fields().Len(); i++ {
			fd := md.Fields().Get(i)
			switch fd.Kind() {
			case protoreflect.GroupKind, protoreflect.FloatKind, protoreflect.DoubleKind:
				t.Errorf("%s: unsupported kind %s", fd.FullName(), fd.Kind())
			case protoreflect.MessageKind:
				walk(fd.Message())
			}
		}
	}
	for name := range entryTypes {
		for index := 0; index < 2; index++ {
			msg, err := newEntry(name, index)
			if err != nil {
				t.Fatal(err)
			}
			walk(msg.ProtoReflect().Descriptor())
		}
	}
	if len(seen) < 100 {
		t.Fatalf("walked only %d message types", len(seen))
	}
}
