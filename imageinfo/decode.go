package imageinfo

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Image is a decoded CRIU image: its magic and its entries, in file order.
// Its JSON form (MarshalJSON) is the one crit's decode prints.
type Image struct {
	Magic   string
	Entries []Entry
}

// Entry is one protobuf entry of an image and the raw payload that follows
// it in the file, if its magic has one (see payloadFields; in the JSON
// form, crit's "extra").
type Entry struct {
	Message proto.Message
	Payload []byte
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

// DecodeFileJSON decodes the CRIU image at path into its JSON form
// (DecodeFile, then MarshalJSON), what `ckpt images decode` prints.
func DecodeFileJSON(path string) ([]byte, error) {
	img, err := DecodeFile(path)
	if err != nil {
		return nil, err
	}
	b, err := img.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
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

// unmarshalEntry unmarshals the entry b into msg. Its errors are
// go-protobuf's made stable (go-protobuf varies its own wording on
// purpose): the first malformed field of b, if any, and the first required
// field that is missing, named as in the .proto files.
func unmarshalEntry(b []byte, msg proto.Message) error {
	if err := (proto.UnmarshalOptions{AllowPartial: true}).Unmarshal(b, msg); err != nil {
		for len(b) > 0 {
			num, typ, n := protowire.ConsumeTag(b)
			if n >= 0 {
				b = b[n:]
				n = protowire.ConsumeFieldValue(num, typ, b)
			}
			if n < 0 {
				return fmt.Errorf("%s: %w", msg.ProtoReflect().Descriptor().FullName(), protowire.ParseError(n))
			}
			b = b[n:]
		}
		return fmt.Errorf("%s: invalid wire-format data in a nested message", msg.ProtoReflect().Descriptor().FullName())
	}
	if name := missingRequired(msg.ProtoReflect()); name != "" {
		return fmt.Errorf("required field %s not set", name)
	}
	return nil
}

// missingRequired returns the full name of the first required field that
// m or a message inside it lacks, or "".
func missingRequired(m protoreflect.Message) protoreflect.FullName {
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		switch {
		case !m.Has(fd):
			if fd.Cardinality() == protoreflect.Required {
				return fd.FullName()
			}
		case fd.Message() == nil || fd.IsMap():
		case fd.IsList():
			list := m.Get(fd).List()
			for j := range list.Len() {
				if name := missingRequired(list.Get(j).Message()); name != "" {
					return name
				}
			}
		default:
			if name := missingRequired(m.Get(fd).Message()); name != "" {
				return name
			}
		}
	}
	return ""
}
