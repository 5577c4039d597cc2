package imageinfo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// payloadFields names, for each magic whose entries are followed by raw
// bytes, the fields of an entry whose sum is the number of those bytes.
// crit keeps the bytes in the entry's extra, base64-encoded (TCP_STREAM: a
// JSON object of in_q and out_q, each base64). GHOST_FILE is handled on
// its own.
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

// payloadLen returns the number of bytes that follow entry data, of
// msg's type, in an image of magic name.
func payloadLen(name string, msg proto.Message, data []byte) uint64 {
	var n uint64
	for _, f := range payloadFields[name] {
		n += wireUint(msg, data, f)
	}
	return n
}

// wireUint returns the value of the unsigned (or bool) field called name
// of the entry data, of msg's type, as its generated getter would after
// proto.Unmarshal: the last varint occurrence wins, cut to the field's
// width, and 0 when it is absent. data must be valid wire data.
func wireUint(msg proto.Message, data []byte, name protoreflect.Name) uint64 {
	fd := msg.ProtoReflect().Descriptor().Fields().ByName(name)
	var v uint64
	eachField(data, func(f wireField) bool {
		if f.is(fd.Number(), protowire.VarintType) {
			v = f.varint
		}
		return true
	})
	switch fd.Kind() {
	case protoreflect.Uint32Kind:
		return uint64(uint32(v))
	case protoreflect.BoolKind:
		return min(v, 1)
	}
	return v
}

// extraString gives the payload b that follows entry data, of msg's type,
// in an image of magic name, in crit's form.
func extraString(name string, msg proto.Message, data, b []byte) (string, error) {
	if name != "TCP_STREAM" {
		return base64.StdEncoding.EncodeToString(b), nil
	}
	in := wireUint(msg, data, "inq_len") // the payload is in_q then out_q
	q := tcpQueues{InQ: base64.StdEncoding.EncodeToString(b[:in]), OutQ: base64.StdEncoding.EncodeToString(b[in:])}
	js, err := json.Marshal(q)
	return string(js), err
}

// tcpQueues is crit's Extra of a TCP_STREAM entry: the receive and send
// queues, each base64.
type tcpQueues struct {
	InQ  string `json:"in_q"`
	OutQ string `json:"out_q"`
}

// payloadBytes turns the Extra of an entry back into the bytes that follow
// it in the image, and checks that their number is the one the entry
// announces. want is that number.
func payloadBytes(magicName, extra string, want uint64) ([]byte, error) {
	var b []byte
	if magicName == "TCP_STREAM" {
		var q tcpQueues
		if err := json.Unmarshal([]byte(extra), &q); err != nil {
			return nil, fmt.Errorf("TCP_STREAM extra: %w", err)
		}
		in, err := base64.StdEncoding.DecodeString(q.InQ)
		if err != nil {
			return nil, fmt.Errorf("TCP_STREAM extra in_q: %w", err)
		}
		out, err := base64.StdEncoding.DecodeString(q.OutQ)
		if err != nil {
			return nil, fmt.Errorf("TCP_STREAM extra out_q: %w", err)
		}
		b = append(in, out...)
	} else {
		var err error
		if b, err = base64.StdEncoding.DecodeString(extra); err != nil {
			return nil, fmt.Errorf("extra: %w", err)
		}
	}
	if uint64(len(b)) != want {
		return nil, fmt.Errorf("extra holds %d bytes, the entry announces %d", len(b), want)
	}
	return b, nil
}
