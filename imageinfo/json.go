package imageinfo

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// MarshalJSON writes the image as crit's decode does: an object with the
// magic's name and the entries, each entry the protobuf message in protojson
// form with protobuf field names, plus an "extra" string holding the payload
// that follows the entry in the file, if any. Unlike crit's, the extra is
// always quoted, so TCP_STREAM images give valid JSON too.
func (img *Image) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	magic, err := json.Marshal(img.Magic)
	if err != nil {
		return nil, err
	}
	buf.WriteString(`{"magic":`)
	buf.Write(magic)
	buf.WriteString(`,"entries":[`)
	opts := protojson.MarshalOptions{UseProtoNames: true}
	for i, e := range img.Entries {
		if i > 0 {
			buf.WriteByte(',')
		}
		if e.Message == nil {
			return nil, fmt.Errorf("%s entry %d: no message", img.Magic, i)
		}
		b, err := opts.Marshal(e.Message)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", img.Magic, i, err)
		}
		if b, err = withUnknown(e.Message, b); err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", img.Magic, i, err)
		}
		if e.Extra != "" {
			extra, err := json.Marshal(e.Extra)
			if err != nil {
				return nil, err
			}
			b = b[:len(b)-1] // drop the closing brace
			if len(b) > 1 {
				b = append(b, ',')
			}
			b = append(b, `"extra":`...)
			b = append(b, extra...)
			b = append(b, '}')
		}
		buf.Write(b)
	}
	buf.WriteString("]}")
	return buf.Bytes(), nil
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

// withUnknown returns the protojson form b of m, with m's unknown fields
// (at any depth) added under unknownKey. b is returned as is when m has none.
func withUnknown(m proto.Message, b []byte) ([]byte, error) {
	r := m.ProtoReflect()
	if !hasUnknownBelow(r) {
		b = bytes.TrimSpace(b)
		u := r.GetUnknown()
		if len(u) == 0 {
			return b, nil
		}
		// Only the top message has unknown fields (as in every CRIU 4.x
		// pagemap entry): add the key without re-parsing the JSON.
		b = b[:len(b)-1]
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `"`+unknownKey+`":"`...)
		b = base64.StdEncoding.AppendEncode(b, u)
		return append(b, `"}`...), nil
	}
	obj, err := decodeGeneric(b)
	if err != nil {
		return nil, err
	}
	addUnknown(m.ProtoReflect(), obj)
	return json.Marshal(obj)
}

// hasUnknown reports whether m or any message inside it has unknown fields.
func hasUnknown(m protoreflect.Message) bool {
	return len(m.GetUnknown()) > 0 || hasUnknownBelow(m)
}

// hasUnknownBelow reports whether any message inside m has unknown fields.
func hasUnknownBelow(m protoreflect.Message) bool {
	found := false
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind && fd.Kind() != protoreflect.GroupKind || fd.IsMap() {
			return true
		}
		if fd.IsList() {
			for i := 0; i < v.List().Len() && !found; i++ {
				found = hasUnknown(v.List().Get(i).Message())
			}
		} else {
			found = hasUnknown(v.Message())
		}
		return !found
	})
	return found
}

// errNoPayload is returned for an "extra" on an entry whose magic has none.
var errNoPayload = errors.New("extra given, but this magic has no payload after its entries")
