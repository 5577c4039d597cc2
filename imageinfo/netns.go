package imageinfo

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/checkpoint-restore/go-criu/v8/crit/images/netdev"
	"google.golang.org/protobuf/proto"
)

// ExtRootNetNS is the key runc gives CRIU for the network namespace a
// container joins by path (--external net[<inode>]:extRootNetNS at dump, an
// inherited descriptor of that name at restore).
const ExtRootNetNS = "extRootNetNS"

// ErrNetnsForm is returned for a network namespace image that is neither
// emptied (--empty-ns net) nor external with a single key, the two forms
// SetNetnsExtKey converts between.
var ErrNetnsForm = errors.New("network namespace image is not one ckpt can convert")

// RootNetns names the image of the checkpoint's root task's network
// namespace in dir (netns-<id>.img, the id from the task's ids image) and
// reads it: nil data and no error when the file is missing, as an
// --empty-ns net dump leaves it (CRIU writes no entry for an emptied
// namespace, and reads a missing image as one). others counts the other
// network namespaces' images in dir.
func RootNetns(dir string) (name string, data []byte, others int, err error) {
	c, err := openCheckpoint(dir)
	if err != nil {
		return "", nil, 0, err
	}
	ps, err := c.pstree()
	if err != nil {
		return "", nil, 0, err
	}
	ids, err := c.ids(ps[0].GetPid())
	if err != nil {
		return "", nil, 0, err
	}
	if ids.NetNsId == nil {
		return "", nil, 0, fmt.Errorf("%s: %w: the root task's ids record no network namespace", dir, ErrNetnsForm)
	}
	name = fmt.Sprintf("netns-%d.img", ids.GetNetNsId())
	all, err := filepath.Glob(filepath.Join(dir, "netns-*.img"))
	if err != nil {
		return "", nil, 0, err
	}
	data, err = os.ReadFile(filepath.Join(dir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return name, nil, len(all), nil
	case err != nil:
		return "", nil, 0, fmt.Errorf("read %s: %w", filepath.Join(dir, name), err)
	}
	return name, data, len(all) - 1, nil
}

// SetNetnsExtKey rewrites a netns image, data as read from path (nil for
// a missing one), so that CRIU restores its namespace as key says: with
// key set, as the external namespace CRIU is handed under that name (one
// entry holding only ext_key, what CRIU writes for a namespace dumped as
// external); with key "", as a namespace to be made afresh and left empty,
// which is no image at all (nil): CRIU reads an image holding an entry,
// even one without fields, as a namespace whose configuration it must
// restore. It refuses an image holding more than an ext_key (a network
// dumped with its links and addresses), so that nothing is dropped.
func SetNetnsExtKey(data []byte, path, key string) ([]byte, error) {
	entry := &netdev.NetnsEntry{}
	if data != nil {
		img, err := decodeImage(data, path)
		if err != nil {
			return nil, err
		}
		if img.Magic != "NETNS" || len(img.Entries) != 1 {
			return nil, fmt.Errorf("%s: %w: magic %s with %d entries, want NETNS with 1", path, ErrNetnsForm, img.Magic, len(img.Entries))
		}
		entry = img.Entries[0].Message.(*netdev.NetnsEntry)
	}
	only := &netdev.NetnsEntry{ExtKey: entry.ExtKey}
	if !proto.Equal(entry, only) {
		return nil, fmt.Errorf("%s: %w: it holds the namespace's configuration (a dump without --empty-ns net or an external namespace)", path, ErrNetnsForm)
	}
	if key == "" {
		return nil, nil
	}
	var b bytes.Buffer
	img := &Image{Magic: "NETNS", Entries: []Entry{{Message: &netdev.NetnsEntry{ExtKey: proto.String(key)}}}}
	if err := img.writeBinary(&b); err != nil {
		return nil, fmt.Errorf("encode %s: %w", path, err)
	}
	return b.Bytes(), nil
}
