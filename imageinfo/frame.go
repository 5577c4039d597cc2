package imageinfo

import (
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
	if n > uint64(s.left()) {
		return nil, s.fail(s.off, fmt.Errorf("%w: %s of %d bytes, %d left", ErrTooLarge, what, n, s.left()))
	}
	b := s.data[s.off : s.off+int64(n)]
	s.off += int64(n)
	return b, nil
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

// entry reads one length-prefixed entry into msg.
func (s *scanner) entry(msg proto.Message) error {
	start := s.off
	n, err := s.u32("entry length")
	if err != nil {
		return err
	}
	b, err := s.bytes(uint64(n), "entry")
	if err != nil {
		return err
	}
	if err := unmarshalEntry(b, msg); err != nil {
		return s.fail(start, fmt.Errorf("%w: %w", ErrBadEntry, err))
	}
	return nil
}

// decodeImage decodes the image data, read from path, in one pass. The
// entry types are those newEntry names, and the payload that follows an
// entry, if its magic has one, becomes its Payload.
func decodeImage(data []byte, path string) (*Image, error) {
	s := &scanner{data: data, path: path}
	name, err := s.readMagic()
	if err != nil {
		return nil, err
	}
	img := &Image{Magic: name, Entries: []Entry{}}
	if name == "GHOST_FILE" {
		return img, s.ghost(img)
	}
	for i := 0; s.left() > 0; i++ {
		msg, err := newEntry(name, i)
		if err != nil {
			return nil, err
		}
		if err := s.entry(msg); err != nil {
			return nil, err
		}
		e := Entry{Message: msg}
		if hasPayload(name) {
			if e.Payload, err = s.bytes(payloadLen(name, msg), "entry payload"); err != nil {
				return nil, err
			}
		}
		img.Entries = append(img.Entries, e)
	}
	return img, nil
}

// ghost reads a GHOST_FILE image into img: a ghost file entry, then either
// chunks (each a chunk entry and its len bytes, the chunk's payload) or
// the file's contents up to EOF (the ghost file entry's payload).
func (s *scanner) ghost(img *Image) error {
	head := &ghost_file.GhostFileEntry{}
	if err := s.entry(head); err != nil {
		return err
	}
	if !head.GetChunks() {
		if s.left() == 0 {
			return s.fail(s.off, errors.New("empty non-chunked ghost file: crit cannot decode it"))
		}
		img.Entries = append(img.Entries, Entry{Message: head, Payload: s.data[s.off:]})
		s.off = int64(len(s.data))
		return nil
	}
	img.Entries = append(img.Entries, Entry{Message: head})
	for s.left() > 0 {
		chunk := &ghost_file.GhostChunkEntry{}
		if err := s.entry(chunk); err != nil {
			return err
		}
		b, err := s.bytes(uint64(chunk.GetLen()), "ghost chunk")
		if err != nil {
			return err
		}
		img.Entries = append(img.Entries, Entry{Message: chunk, Payload: b})
	}
	return nil
}
