package imageinfo

import (
	"encoding/base64"
	"fmt"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// payloadFields names, for each magic whose entries are followed by raw
// bytes, the fields of an entry whose sum is the number of those bytes.
// GHOST_FILE is handled on its own (frame.go).
var payloadFields = map[string][]protoreflect.Name{
	"PIPES_DATA":  {"bytes"},
	"FIFO_DATA":   {"bytes"},
	"SK_QUEUES":   {"length"},
	"TCP_STREAM":  {"inq_len", "outq_len"},
	"BPFMAP_DATA": {"keys_bytes", "values_bytes"},
}

// hasPayload reports whether the entries of magic name are followed by
// raw bytes.
func hasPayload(name string) bool { return payloadFields[name] != nil }

// hasExtra reports whether entry number index of an image of magic name
// is followed by a payload, which its JSON form carries as "extra" even
// when empty: every entry of a magic with payloads, and the chunks of a
// GHOST_FILE (the head of a non-chunked one carries the file's contents,
// which are never empty).
func hasExtra(name string, index int) bool {
	return hasPayload(name) || name == "GHOST_FILE" && index > 0
}

// payloadLen returns the number of bytes that follow entry msg in an image
// of magic name: the sum of its payloadFields.
func payloadLen(name string, msg proto.Message) uint64 {
	m := msg.ProtoReflect()
	var n uint64
	for _, f := range payloadFields[name] {
		n += m.Get(m.Descriptor().Fields().ByName(f)).Uint()
	}
	return n
}

// appendExtra adds the "extra" key, the payload b that follows entry msg
// in an image of magic name in crit's form, to the JSON object that ends
// out: base64, and for TCP_STREAM an object of the receive and send
// queues ("inq" then "outq" in the file), each base64.
func appendExtra(out []byte, name string, msg proto.Message, b []byte) []byte {
	out = out[:len(out)-1] // drop the closing brace
	if out[len(out)-1] != '{' {
		out = append(out, ',')
	}
	out = append(out, `"extra":`...)
	if name == "TCP_STREAM" {
		m := msg.ProtoReflect()
		in := min(m.Get(m.Descriptor().Fields().ByName("inq_len")).Uint(), uint64(len(b)))
		out = append(out, `{"inq":`...)
		out = appendBase64(out, b[:in])
		out = append(out, `,"outq":`...)
		out = appendBase64(out, b[in:])
		out = append(out, '}')
	} else {
		out = appendBase64(out, b)
	}
	return append(out, '}')
}

// appendBase64 appends b as a quoted base64 JSON string.
func appendBase64(out, b []byte) []byte {
	out = append(out, '"')
	out = base64.StdEncoding.AppendEncode(out, b)
	return append(out, '"')
}

// payloadFromJSON turns the "extra" of an entry (x, as encoding/json
// parsed it) back into the bytes that follow entry msg in an image of
// magic name, and checks that their number is the one the entry announces.
func payloadFromJSON(name string, msg proto.Message, x any) ([]byte, error) {
	var b []byte
	if name == "TCP_STREAM" {
		q, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: TCP_STREAM extra is not an object of inq and outq", ErrBadEntry)
		}
		in, err := base64Field(q, "inq")
		if err != nil {
			return nil, err
		}
		out, err := base64Field(q, "outq")
		if err != nil {
			return nil, err
		}
		b = append(in, out...)
	} else {
		var err error
		if b, err = base64Extra(x); err != nil {
			return nil, err
		}
	}
	if want := payloadLen(name, msg); uint64(len(b)) != want {
		return nil, fmt.Errorf("%w: extra holds %d bytes, the entry announces %d", ErrBadEntry, len(b), want)
	}
	return b, nil
}

// base64Field decodes the base64 string q[key].
func base64Field(q map[string]any, key string) ([]byte, error) {
	s, ok := q[key].(string)
	if !ok {
		return nil, fmt.Errorf("%w: TCP_STREAM extra: %s is not a string", ErrBadEntry, key)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: TCP_STREAM extra %s: %w", ErrBadEntry, key, err)
	}
	return b, nil
}

// base64Extra decodes an "extra" that is a base64 string.
func base64Extra(x any) ([]byte, error) {
	s, ok := x.(string)
	if !ok {
		return nil, fmt.Errorf("%w: extra is not a string", ErrBadEntry)
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: extra: %w", ErrBadEntry, err)
	}
	return b, nil
}
