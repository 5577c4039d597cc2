package imageinfo

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	ghost_file "github.com/checkpoint-restore/go-criu/v8/crit/images/ghost-file"
	"google.golang.org/protobuf/proto"
)

// scanner walks an image held in memory: magic words, then length-prefixed
// protobuf entries, each maybe followed by a payload whose size the entry
// gives. Every length is checked against what is left of the file before
// anything is sliced or unmarshalled.
type scanner struct {
	data []byte // the whole file
	path string
	off  int64 // offset of the next unread byte of data
}

func (s *scanner) fail(off int64, err error) error {
	return &FormatError{Path: s.path, Offset: off, Err: err}
}

func (s *scanner) left() int64 { return int64(len(s.data)) - s.off }

// u32 reads a little-endian 32-bit word; what names it in errors.
func (s *scanner) u32(what string) (uint32, error) {
	if s.left() < 4 {
		return 0, s.fail(s.off, fmt.Errorf("%w: %s needs 4 bytes, %d left", ErrTruncated, what, s.left()))
	}
	v := binary.LittleEndian.Uint32(s.data[s.off:])
	s.off += 4
	return v, nil
}

// bytes returns the next n bytes (a slice of data, not a copy) after
// checking that the file has them.
func (s *scanner) bytes(n uint64, what string) ([]byte, error) {
	if err := s.fits(n, what); err != nil {
		return nil, err
	}
	b := s.data[s.off : s.off+int64(n)]
	s.off += int64(n)
	return b, nil
}

func (s *scanner) fits(n uint64, what string) error {
	if n > uint64(s.left()) {
		return s.fail(s.off, fmt.Errorf("%w: %s of %d bytes, %d left", ErrTooLarge, what, n, s.left()))
	}
	return nil
}

// readMagic reads the magic words at the start of an image and returns the
// magic's name.
func (s *scanner) readMagic() (string, error) {
	m := magicMap()
	v, err := s.u32("magic")
	if err != nil {
		return "", err
	}
	if uint64(v) == m.ByName["IMG_COMMON"] || uint64(v) == m.ByName["IMG_SERVICE"] {
		if v, err = s.u32("magic"); err != nil {
			return "", err
		}
	}
	name, ok := m.ByValue[uint64(v)]
	if !ok {
		return "", s.fail(s.off-4, fmt.Errorf("%w 0x%08x", ErrUnknownMagic, v))
	}
	if _, ok := entryTypes[name]; !ok {
		return "", s.fail(s.off-4, fmt.Errorf("%w %s", ErrUnsupportedMagic, name))
	}
	return name, nil
}

// entrySink receives the entries of an image as a scanner walks them: each
// entry's protobuf bytes with an empty message of its type (the same one
// for every entry of that type: a sink that keeps messages makes its own),
// to decode (and so check) them, with an error that names the type, then,
// if the entry has a payload, the payload in crit's "extra" form. DecodeFile's sink builds an *Image,
// DecodeFileJSON's writes JSON straight from the bytes.
type entrySink interface {
	entry(typ proto.Message, data []byte) error
	extra(s string)
}

// next reads one length-prefixed entry and returns its protobuf bytes.
func (s *scanner) next() ([]byte, error) {
	n, err := s.u32("entry length")
	if err != nil {
		return nil, err
	}
	return s.bytes(uint64(n), "entry")
}

// entry reads one length-prefixed entry and hands it, with msg, to sink.
// It returns the entry's protobuf bytes.
func (s *scanner) entry(msg proto.Message, sink entrySink) ([]byte, error) {
	start := s.off
	b, err := s.next()
	if err != nil {
		return nil, err
	}
	if err := sink.entry(msg, b); err != nil {
		return nil, s.fail(start, fmt.Errorf("%w: %w", ErrBadEntry, err))
	}
	return b, nil
}

// entries walks the entries of an image whose magic, name, has just been
// read, in one pass, and hands them to sink. The entry types are those
// newEntry names, and the payload that follows an entry, if its magic has
// one, becomes its extra in crit's form (base64; for TCP_STREAM a JSON
// object of in_q and out_q, each base64).
func (s *scanner) entries(name string, sink entrySink) error {
	if name == "GHOST_FILE" {
		return s.ghost(sink)
	}
	head, err := newEntry(name, 0)
	if err != nil {
		return err
	}
	rest, err := newEntry(name, 1)
	if err != nil {
		return err
	}
	for msg := head; s.left() > 0; msg = rest {
		data, err := s.entry(msg, sink)
		if err != nil {
			return err
		}
		if !hasPayload(name) {
			continue
		}
		b, err := s.bytes(payloadLen(name, msg, data), "entry payload")
		if err != nil {
			return err
		}
		extra, err := extraString(name, msg, data, b)
		if err != nil {
			return s.fail(-1, err)
		}
		sink.extra(extra)
	}
	return nil
}

// ghost walks a GHOST_FILE image: a ghost file entry, then either chunks
// (each a chunk entry and its len bytes, the chunk's extra) or the file's
// contents up to EOF (the ghost file entry's extra).
func (s *scanner) ghost(sink entrySink) error {
	head := &ghost_file.GhostFileEntry{}
	data, err := s.entry(head, sink)
	if err != nil {
		return err
	}
	if wireUint(head, data, "chunks") == 0 {
		if s.left() == 0 {
			return s.fail(s.off, errors.New("empty non-chunked ghost file: crit cannot decode it"))
		}
		sink.extra(base64.StdEncoding.EncodeToString(s.data[s.off:]))
		s.off = int64(len(s.data))
		return nil
	}
	for s.left() > 0 {
		chunk := &ghost_file.GhostChunkEntry{}
		data, err := s.entry(chunk, sink)
		if err != nil {
			return err
		}
		b, err := s.bytes(wireUint(chunk, data, "len"), "ghost chunk")
		if err != nil {
			return err
		}
		sink.extra(base64.StdEncoding.EncodeToString(b))
	}
	return nil
}

// imageSink builds an *Image, unmarshalling each entry into its type.
type imageSink struct{ img *Image }

func (k *imageSink) entry(typ proto.Message, data []byte) error {
	msg := typ.ProtoReflect().New().Interface()
	if err := proto.Unmarshal(data, msg); err != nil {
		return fmt.Errorf("%s: %w", msg.ProtoReflect().Descriptor().FullName(), err)
	}
	k.img.Entries = append(k.img.Entries, Entry{Message: msg})
	return nil
}

func (k *imageSink) extra(s string) { k.img.Entries[len(k.img.Entries)-1].Extra = s }

// decodeImage decodes the image data, read from path, in one pass.
func decodeImage(data []byte, path string) (*Image, error) {
	s := &scanner{data: data, path: path}
	name, err := s.readMagic()
	if err != nil {
		return nil, err
	}
	img := &Image{Magic: name, Entries: []Entry{}}
	if err := s.entries(name, &imageSink{img: img}); err != nil {
		return nil, err
	}
	return img, nil
}
