package imageinfo

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
)

// MarshalJSON writes the image as crit's decode does: an object with the
// magic's name and the entries, each entry the protobuf message in
// protojson's form with protobuf field names (64-bit integers quoted,
// enums by name, bytes in base64), plus an "extra" holding the payload
// that follows the entry in the file, if its magic has one (even when
// empty, as crit does; see appendExtra). The output is compact and the
// same for every build: protojson's own spacing varies on purpose, so it
// is compacted.
func (img *Image) MarshalJSON() ([]byte, error) {
	out := append([]byte(`{"magic":`), jsonString(img.Magic)...)
	out = append(out, `,"entries":[`...)
	opts := protojson.MarshalOptions{UseProtoNames: true}
	for i, e := range img.Entries {
		if e.Message == nil {
			return nil, fmt.Errorf("%s entry %d: no message", img.Magic, i)
		}
		if i > 0 {
			out = append(out, ',')
		}
		var err error
		if out, err = opts.MarshalAppend(out, e.Message); err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", img.Magic, i, err)
		}
		if len(e.Payload) > 0 || hasExtra(img.Magic, i) {
			out = appendExtra(out, img.Magic, e.Message, e.Payload)
		}
	}
	out = append(out, "]}"...)
	var buf bytes.Buffer
	buf.Grow(len(out))
	if err := json.Compact(&buf, out); err != nil {
		return nil, fmt.Errorf("%s: %w", img.Magic, err)
	}
	return buf.Bytes(), nil
}

// jsonString quotes s as a JSON string.
func jsonString(s string) []byte {
	b, _ := json.Marshal(s) // a string always marshals
	return b
}

// ParseJSON reads the JSON form of an image (see MarshalJSON). Each entry
// is parsed into the type its position and the magic call for. crit's own
// output parses too, but for bytes fields inside entries: crit writes them
// with newlines (Python's base64.encodebytes), which protojson refuses.
func ParseJSON(data []byte) (*Image, error) {
	var raw struct {
		Magic   *string           `json:"magic"`
		Entries []json.RawMessage `json:"entries"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if raw.Magic == nil {
		return nil, fmt.Errorf("%w: no \"magic\"", ErrBadEntry)
	}
	img := &Image{Magic: *raw.Magic, Entries: make([]Entry, 0, len(raw.Entries))}
	if _, err := headerFor(img.Magic); err != nil {
		return nil, err
	}
	for i, rawEntry := range raw.Entries {
		e, err := parseEntry(img.Magic, i, rawEntry)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", img.Magic, i, err)
		}
		img.Entries = append(img.Entries, e)
	}
	return img, nil
}

func parseEntry(magicName string, index int, data json.RawMessage) (Entry, error) {
	fields, err := decodeGeneric(data)
	if err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if fields == nil {
		return Entry{}, fmt.Errorf("%w: null entry", ErrBadEntry)
	}
	extra, hasExtra := fields["extra"]
	delete(fields, "extra")
	rest, err := json.Marshal(fields)
	if err != nil {
		return Entry{}, err
	}
	var e Entry
	if e.Message, err = newEntry(magicName, index); err != nil {
		return Entry{}, err
	}
	if err := protojson.Unmarshal(rest, e.Message); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	if !hasExtra {
		return e, nil
	}
	switch {
	case hasPayload(magicName):
		e.Payload, err = payloadFromJSON(magicName, e.Message, extra)
	case magicName == "GHOST_FILE":
		e.Payload, err = base64Extra(extra)
	default:
		err = errNoPayload
	}
	return e, err
}

// decodeGeneric parses a JSON object into maps and slices, keeping numbers
// as written (json.Number) so that 64-bit values survive.
func decodeGeneric(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// errNoPayload is returned for an "extra" on an entry whose magic has none.
var errNoPayload = fmt.Errorf("%w: extra given, but this magic has no payload after its entries", ErrBadEntry)
