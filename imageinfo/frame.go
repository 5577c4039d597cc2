package imageinfo

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	ghost_file "github.com/checkpoint-restore/go-criu/v7/crit/images/ghost-file"
	"google.golang.org/protobuf/proto"
)

// layout is what checkImage learnt about a well-framed image.
type layout struct {
	magic string
	// ghostData is the length of the contents that follow the only entry
	// of a non-chunked GHOST_FILE image, or -1.
	ghostData int64
}

// scanner walks the framing of an image: magic words, then length-prefixed
// protobuf entries, each maybe followed by a payload whose size the entry
// gives. Every read is a full read (io.ReadFull) and every length is checked
// against what is left of the file before anything is read or allocated.
type scanner struct {
	r    *bufio.Reader
	path string
	off  int64 // offset of the next byte of r
	size int64 // file size
}

func (s *scanner) fail(off int64, err error) error {
	return &FormatError{Path: s.path, Offset: off, Err: err}
}

func (s *scanner) left() int64 { return s.size - s.off }

// u32 reads a little-endian 32-bit word; what names it in errors.
func (s *scanner) u32(what string) (uint32, error) {
	var b [4]byte
	if s.left() < 4 {
		return 0, s.fail(s.off, fmt.Errorf("%w: %s needs 4 bytes, %d left", ErrTruncated, what, s.left()))
	}
	if _, err := io.ReadFull(s.r, b[:]); err != nil {
		return 0, s.fail(s.off, fmt.Errorf("reading %s: %w", what, err))
	}
	s.off += 4
	return binary.LittleEndian.Uint32(b[:]), nil
}

// bytes reads n bytes after checking that the file has them.
func (s *scanner) bytes(n uint64, what string) ([]byte, error) {
	if err := s.fits(n, what); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(s.r, b); err != nil {
		return nil, s.fail(s.off, fmt.Errorf("reading %s: %w", what, err))
	}
	s.off += int64(n)
	return b, nil
}

// skip passes over n bytes after checking that the file has them.
func (s *scanner) skip(n uint64, what string) error {
	if err := s.fits(n, what); err != nil {
		return err
	}
	if _, err := s.r.Discard(int(n)); err != nil {
		return s.fail(s.off, fmt.Errorf("skipping %s: %w", what, err))
	}
	s.off += int64(n)
	return nil
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

// entry reads one length-prefixed entry. With msg nil the entry is only
// skipped; otherwise it is unmarshalled into msg.
func (s *scanner) entry(msg proto.Message) error {
	start := s.off
	n, err := s.u32("entry length")
	if err != nil {
		return err
	}
	if msg == nil {
		return s.skip(uint64(n), "entry")
	}
	b, err := s.bytes(uint64(n), "entry")
	if err != nil {
		return err
	}
	if err := proto.Unmarshal(b, msg); err != nil {
		return s.fail(start, fmt.Errorf("%w: %T: %w", ErrBadEntry, msg, err))
	}
	return nil
}

// checkImage validates the framing of the image read from r (size bytes
// long) the way crit will read it, so that crit's own reads, which are
// neither full reads nor bounded, only ever see well-formed input.
//
// With parseAll, every entry is also unmarshalled, to find the offset of a
// bad entry once crit has refused the image.
func checkImage(r io.Reader, path string, size int64, parseAll bool) (layout, error) {
	s := &scanner{r: bufio.NewReaderSize(r, 64<<10), path: path, size: size}
	name, err := s.readMagic()
	if err != nil {
		return layout{}, err
	}
	lay := layout{magic: name, ghostData: -1}
	if name == "GHOST_FILE" {
		return s.ghost(lay)
	}
	extra := payloadSize[name]
	for index := 0; s.left() > 0; index++ {
		var msg proto.Message
		if extra != nil || parseAll {
			if msg, err = newEntry(name, index); err != nil {
				return layout{}, err
			}
		}
		if err := s.entry(msg); err != nil {
			return layout{}, err
		}
		if extra != nil {
			if err := s.skip(extra(msg), "entry payload"); err != nil {
				return layout{}, err
			}
		}
	}
	return lay, nil
}

// ghost checks a GHOST_FILE image: a ghost file entry, then either chunks
// (each a chunk entry and its len bytes) or the file's contents up to EOF.
func (s *scanner) ghost(lay layout) (layout, error) {
	head := &ghost_file.GhostFileEntry{}
	if err := s.entry(head); err != nil {
		return layout{}, err
	}
	if !head.GetChunks() {
		if s.left() == 0 {
			return layout{}, s.fail(s.off, errors.New("empty non-chunked ghost file: crit cannot decode it"))
		}
		lay.ghostData = s.left()
		return lay, nil
	}
	for s.left() > 0 {
		chunk := &ghost_file.GhostChunkEntry{}
		if err := s.entry(chunk); err != nil {
			return layout{}, err
		}
		if err := s.skip(uint64(chunk.GetLen()), "ghost chunk"); err != nil {
			return layout{}, err
		}
	}
	return lay, nil
}
