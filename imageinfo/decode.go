package imageinfo

import (
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
//
// The file is read whole, in one read: CRIU's protobuf images are small
// (the memory is in the raw pages-*.img, which DecodeFile refuses).
func DecodeFile(path string) (*Image, error) {
	data, err := readImageFile(path)
	if err != nil {
		return nil, err
	}
	return decodeImage(data, path)
}

// DecodeFileJSON decodes the CRIU image at path into its JSON form, the
// bytes that DecodeFile followed by MarshalJSON would give, and refuses the
// same files with the same errors. It writes the JSON straight from the
// entries' wire bytes, without unmarshalling them into go-criu's types,
// which is several times faster in a fresh process (see wirejson.go).
func DecodeFileJSON(path string) ([]byte, error) {
	data, err := readImageFile(path)
	if err != nil {
		return nil, err
	}
	s := &scanner{data: data, path: path}
	name, err := s.readMagic()
	if err != nil {
		return nil, err
	}
	k := &jsonSink{out: appendImageStart(make([]byte, 0, 4*len(data)+64), name)}
	if err := s.entries(name, k); err != nil {
		return nil, err
	}
	return append(k.out, "]}"...), nil
}

// readImageFile reads the whole image file at path, after refusing raw
// images and files that are not regular.
func readImageFile(path string) ([]byte, error) {
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
	data := make([]byte, st.Size())
	if n, err := io.ReadFull(f, data); err != nil {
		return nil, &FormatError{Path: path, Offset: int64(n), Err: fmt.Errorf("reading: %w", err)}
	}
	return data, nil
}
