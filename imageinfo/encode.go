package imageinfo

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	ghost_file "github.com/checkpoint-restore/go-criu/v8/crit/images/ghost-file"
	"google.golang.org/protobuf/proto"
)

// Encode reads the JSON form of an image from in (see ParseJSON) and writes
// the binary image to out. It is the inverse of DecodeFile followed by
// MarshalJSON.
func Encode(in io.Reader, out io.Writer) error {
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("encoding image: reading JSON: %w", err)
	}
	img, err := ParseJSON(data)
	if err != nil {
		return fmt.Errorf("encoding image: %w", err)
	}
	bw := bufio.NewWriter(out)
	if err := img.writeBinary(bw); err != nil {
		return fmt.Errorf("encoding %s image: %w", img.Magic, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("encoding %s image: %w", img.Magic, err)
	}
	return nil
}

// writeBinary writes img in CRIU's format: the magic words, then each entry
// as a little-endian 32-bit length and the protobuf bytes, followed by its
// payload where the magic has one.
func (img *Image) writeBinary(w io.Writer) error {
	words, err := headerFor(img.Magic)
	if err != nil {
		return err
	}
	for _, v := range words {
		if err := binary.Write(w, binary.LittleEndian, v); err != nil {
			return err
		}
	}
	if img.Magic == "GHOST_FILE" {
		return img.writeGhost(w)
	}
	for i, e := range img.Entries {
		if err := writeEntry(w, e.Message); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if !hasPayload(img.Magic) {
			if len(e.Payload) > 0 {
				return fmt.Errorf("entry %d: %w", i, errNoPayload)
			}
			continue
		}
		if want := payloadLen(img.Magic, e.Message); uint64(len(e.Payload)) != want {
			return fmt.Errorf("entry %d: %w: payload of %d bytes, the entry announces %d", i, ErrBadEntry, len(e.Payload), want)
		}
		if _, err := w.Write(e.Payload); err != nil {
			return err
		}
	}
	return nil
}

// writeGhost writes a GHOST_FILE image: the ghost file entry, then either
// chunks (entry and data) or, for a non-chunked one, the contents.
func (img *Image) writeGhost(w io.Writer) error {
	if len(img.Entries) == 0 {
		return fmt.Errorf("%w: a ghost file image needs a ghost file entry", ErrBadEntry)
	}
	head, ok := img.Entries[0].Message.(*ghost_file.GhostFileEntry)
	if !ok {
		return fmt.Errorf("%w: entry 0 is %T, not a ghost file entry", ErrBadEntry, img.Entries[0].Message)
	}
	if err := writeEntry(w, head); err != nil {
		return fmt.Errorf("entry 0: %w", err)
	}
	if !head.GetChunks() {
		if len(img.Entries) > 1 {
			return fmt.Errorf("%w: a non-chunked ghost file has one entry, not %d", ErrBadEntry, len(img.Entries))
		}
		_, err := w.Write(img.Entries[0].Payload)
		return err
	}
	if len(img.Entries[0].Payload) > 0 {
		return fmt.Errorf("entry 0: %w", errNoPayload)
	}
	for i, e := range img.Entries[1:] {
		chunk, ok := e.Message.(*ghost_file.GhostChunkEntry)
		if !ok {
			return fmt.Errorf("%w: entry %d is %T, not a ghost chunk", ErrBadEntry, i+1, e.Message)
		}
		if err := writeEntry(w, chunk); err != nil {
			return fmt.Errorf("entry %d: %w", i+1, err)
		}
		if uint64(len(e.Payload)) != uint64(chunk.GetLen()) {
			return fmt.Errorf("entry %d: %w: payload of %d bytes, the chunk announces %d", i+1, ErrBadEntry, len(e.Payload), chunk.GetLen())
		}
		if _, err := w.Write(e.Payload); err != nil {
			return err
		}
	}
	return nil
}

// writeEntry writes m as a length-prefixed entry.
func writeEntry(w io.Writer, m proto.Message) error {
	if m == nil {
		return fmt.Errorf("%w: no message", ErrBadEntry)
	}
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if len(b) > math.MaxUint32 {
		return fmt.Errorf("%w: entry of %d bytes", ErrTooLarge, len(b))
	}
	if err := binary.Write(w, binary.LittleEndian, uint32(len(b))); err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}
