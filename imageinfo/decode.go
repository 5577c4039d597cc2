package imageinfo

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/proto"
)

// Image is a decoded CRIU image: its magic and its entries, in file order.
// Its JSON form (MarshalJSON) is the one crit's decode prints.
type Image struct {
	Magic   string
	Entries []Entry
}

// Entry is one protobuf entry of an image and the raw payload that follows
// it in the file, if its magic has one (see payloadSize), in crit's form.
type Entry struct {
	Message proto.Message
	Extra   string
}

// rawPrefixes are the file name prefixes of CRIU's raw images, which hold
// no magic and no protobuf entries.
var rawPrefixes = []string{
	"pages-", "tmpfs-", "ifaddr-", "route-", "route6-", "rule-",
	"iptables-", "ip6tables-", "nftables-",
}

// isRawImage reports whether a file name is that of a raw image.
func isRawImage(name string) bool {
	for _, p := range rawPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// DecodeFile decodes the CRIU image at path. It refuses raw images, files
// that are not regular, bad framing (ErrTruncated, ErrTooLarge), unknown
// magics and entries that are not valid protobuf, each with an error that
// names the file and, where known, the offset.
func DecodeFile(path string) (*Image, error) {
	if isRawImage(filepath.Base(path)) {
		return nil, &FormatError{Path: path, Offset: -1, Err: ErrRawImage}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("decoding image: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("not a regular file (%s)", st.Mode().Type())}
	}
	lay, err := checkImage(f, path, st.Size(), false)
	if err != nil {
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("decoding image %s: %w", path, err)
	}
	ci, err := critDecode(f, lay.magic)
	if err != nil {
		return nil, locateBadEntry(f, path, st.Size(), err)
	}
	img := &Image{Magic: ci.Magic, Entries: make([]Entry, len(ci.Entries))}
	for i, e := range ci.Entries {
		img.Entries[i] = Entry{Message: e.Message, Extra: e.Extra}
	}
	if lay.ghostData >= 0 && len(img.Entries) == 1 {
		// crit reads the contents of a non-chunked ghost file into a
		// buffer 8 bytes too long (it forgets the two magic words).
		b, err := base64.StdEncoding.DecodeString(img.Entries[0].Extra)
		if err != nil || int64(len(b)) < lay.ghostData {
			return nil, &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("%w: ghost file contents", ErrBadEntry)}
		}
		img.Entries[0].Extra = base64.StdEncoding.EncodeToString(b[:lay.ghostData])
	}
	return img, nil
}

// locateBadEntry turns crit's error, which has no offset, into one that
// names the first entry that does not unmarshal.
func locateBadEntry(f *os.File, path string, size int64, critErr error) error {
	if _, err := f.Seek(0, io.SeekStart); err == nil {
		if _, err := checkImage(f, path, size, true); err != nil {
			return err
		}
	}
	return &FormatError{Path: path, Offset: -1, Err: fmt.Errorf("%w: %w", ErrBadEntry, critErr)}
}
