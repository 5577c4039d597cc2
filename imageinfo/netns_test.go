package imageinfo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/netdev"
	"google.golang.org/protobuf/proto"
)

// The fixtures under testdata/netns are the pstree, ids and netns images
// of one busybox counter dumped by ckpt on Engine 20.10 (--empty-ns net:
// no netns image) and on Engine 29 (--external net[...]:extRootNetNS).
const (
	netns20 = "testdata/netns/engine20"
	netns29 = "testdata/netns/engine29"
)

func TestRootNetnsEmptied(t *testing.T) {
	name, data, others, err := RootNetns(netns20)
	if err != nil {
		t.Fatal(err)
	}
	if name != "netns-10.img" || data != nil || others != 0 {
		t.Errorf("RootNetns = %q, %d bytes, %d others; want netns-10.img, no image, 0", name, len(data), others)
	}
}

func TestRootNetnsExternal(t *testing.T) {
	name, data, others, err := RootNetns(netns29)
	if err != nil {
		t.Fatal(err)
	}
	if name != "netns-10.img" || len(data) == 0 || others != 0 {
		t.Errorf("RootNetns = %q, %d bytes, %d others; want netns-10.img with data, 0", name, len(data), others)
	}
}

// An emptied namespace made external is, byte for byte, what CRIU wrote
// for the namespace dumped external on Engine 29; and back.
func TestSetNetnsExtKeyBothWays(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(netns29, "netns-10.img"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := SetNetnsExtKey(nil, "netns-10.img", ExtRootNetNS)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("empty -> external:\n got %x\nwant %x", got, want)
	}
	cleared, err := SetNetnsExtKey(want, "netns-10.img", "")
	if err != nil || cleared != nil {
		t.Errorf("external -> empty = %x, %v; want no image", cleared, err)
	}
	same, err := SetNetnsExtKey(want, "netns-10.img", ExtRootNetNS)
	if err != nil || !bytes.Equal(same, want) {
		t.Errorf("external -> external = %x, %v; want it unchanged", same, err)
	}
	img, err := decodeImage(got, "netns-10.img")
	if err != nil {
		t.Fatal(err)
	}
	if k := img.Entries[0].Message.(*netdev.NetnsEntry).GetExtKey(); k != ExtRootNetNS {
		t.Errorf("ext_key %q", k)
	}
}

func TestSetNetnsExtKeyRefuses(t *testing.T) {
	var full bytes.Buffer
	cfg := &Image{Magic: "NETNS", Entries: []Entry{{Message: &netdev.NetnsEntry{
		Nsids: []*netdev.NetnsId{{TargetNsId: proto.Uint32(3), NetnsidValue: proto.Int32(0)}},
	}}}}
	if err := cfg.writeBinary(&full); err != nil {
		t.Fatal(err)
	}
	ids, err := os.ReadFile(filepath.Join(netns29, "ids-1.img"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"configured": full.Bytes(), "not netns": ids, "garbage": []byte("nope")} {
		for _, key := range []string{"", ExtRootNetNS} {
			out, err := SetNetnsExtKey(data, name, key)
			if err == nil || out != nil {
				t.Errorf("%s, key %q: %x, %v; want an error", name, key, out, err)
			}
			if name != "garbage" && !errors.Is(err, ErrNetnsForm) {
				t.Errorf("%s, key %q: %v; want ErrNetnsForm", name, key, err)
			}
		}
	}
}
