package imageinfo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// MarshalJSON writes the image as crit's decode does: an object with the
// magic's name and the entries, each entry the protobuf message in protojson
// form with protobuf field names, plus an "extra" string holding the payload
// that follows the entry in the file, if its magic has one (even when
// empty, as crit does). Unlike crit's, the extra is always quoted, so
// TCP_STREAM images give valid JSON too. Fields that go-criu's definitions
// lack are kept under unknownKey. It gives the same bytes as
// DecodeFileJSON on the file the image was decoded from.
func (img *Image) MarshalJSON() ([]byte, error) {
	k := &jsonSink{out: appendImageStart(nil, img.Magic)}
	for i, e := range img.Entries {
		if e.Message == nil {
			return nil, fmt.Errorf("%s entry %d: no message", img.Magic, i)
		}
		b, err := proto.Marshal(e.Message)
		if err == nil {
			err = k.entry(e.Message, b)
		}
		if err == nil && (e.Extra != "" || hasExtra(img.Magic, i)) {
			k.out, err = appendExtra(k.out, e.Extra)
		}
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", img.Magic, i, err)
		}
	}
	return append(k.out, "]}"...), nil
}

// appendImageStart opens the JSON form of an image of magic name, up to
// its first entry.
func appendImageStart(out []byte, name string) []byte {
	out = append(out, `{"magic":`...)
	out, _ = appendJSONString(out, name) // a magic's name is ASCII
	return append(out, `,"entries":[`...)
}

// appendExtra adds the "extra" key, with value s, to the JSON object that
// ends out.
func appendExtra(out []byte, s string) ([]byte, error) {
	out = out[:len(out)-1] // drop the closing brace
	if out[len(out)-1] != '{' {
		out = append(out, ',')
	}
	out = append(out, `"extra":`...)
	out, err := appendJSONString(out, s)
	return append(out, '}'), err
}

// jsonSink writes the JSON form of an image's entries straight from their
// bytes (see wirejson.go), for DecodeFileJSON and MarshalJSON.
type jsonSink struct {
	out []byte
	n   int // entries written
	enc wireEncoder
}

func (k *jsonSink) entry(msg proto.Message, data []byte) error {
	if k.n > 0 {
		k.out = append(k.out, ',')
	}
	k.n++
	var err error
	k.out, err = k.enc.appendMessage(k.out, msg.ProtoReflect().Descriptor(), data)
	return err
}

func (k *jsonSink) extra(s string) {
	k.out, _ = appendExtra(k.out, s) // base64, or JSON made by encoding/json: valid UTF-8
}

// ParseJSON reads the JSON form of an image (see MarshalJSON; crit's own
// output is accepted too, except its unquoted TCP_STREAM extras). Each
// entry is parsed into the type its position and the magic call for.
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
	var e Entry
	if x, ok := fields["extra"]; ok {
		if e.Extra, ok = x.(string); !ok {
			return Entry{}, fmt.Errorf("%w: extra is not a string", ErrBadEntry)
		}
		delete(fields, "extra")
	}
	var unknown []unknownAt
	if err := takeUnknown(fields, nil, &unknown); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	rest, err := json.Marshal(fields)
	if err != nil {
		return Entry{}, err
	}
	if e.Message, err = newEntry(magicName, index); err != nil {
		return Entry{}, err
	}
	if err := protojson.Unmarshal(rest, e.Message); err != nil {
		return Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
	}
	for _, u := range unknown {
		if err := setUnknown(e.Message.ProtoReflect(), u.path, u.raw); err != nil {
			return Entry{}, fmt.Errorf("%w: %w", ErrBadEntry, err)
		}
	}
	return e, nil
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
var errNoPayload = errors.New("extra given, but this magic has no payload after its entries")
