package imageinfo

import (
	"cmp"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// The JSON form of an entry is written straight from its wire bytes, guided
// by the message's descriptor: what protojson (with protobuf field names)
// writes for the message that proto.Unmarshal makes of those bytes, plus
// the fields the descriptor does not know under unknownKey. This is what
// `ckpt images decode` prints. Going through proto.Unmarshal and protojson
// instead gives the same JSON, but go-protobuf builds the decoder and the
// reflection tables of every message type on its first use, which in a
// fresh process cost a fifth of a `ckpt images decode` of a core image; the
// descriptors alone are cheap.
//
// The wire rules are protobuf's: a field whose wire type does not fit its
// declaration is an unknown field; the last value of a singular scalar wins;
// the occurrences of a singular message merge; a repeated scalar may come
// packed or not; malformed wire data and a missing required field are
// errors. CRIU's messages are all proto2, without oneofs, maps, groups or
// floating-point fields (TestWireJSONSchema checks this against go-criu's
// descriptors); a field of a kind outside that set is an error here, never
// a guess.

// wireValue is one occurrence of a known field in a message's wire bytes.
type wireValue struct {
	field int            // index of the field in the message's descriptor
	typ   protowire.Type // wire type of the occurrence
	val   []byte         // the value: varint or fixed bytes, or the contents of a length-delimited field
}

// wireEncoder writes JSON from wire bytes. Its scratch space, used as two
// stacks (a message's values and unknown fields above those of the
// message that holds it), is reused from one entry to the next, so that
// an image of a thousand entries does not cost a thousand allocations.
type wireEncoder struct {
	vals    []wireValue
	unknown []byte
}

// appendMessage appends to out the JSON object for the protobuf message b
// of type md.
func (e *wireEncoder) appendMessage(out []byte, md protoreflect.MessageDescriptor, b []byte) ([]byte, error) {
	valsBase, unknownBase := len(e.vals), len(e.unknown)
	defer func() { e.vals, e.unknown = e.vals[:valsBase], e.unknown[:unknownBase] }()
	fields := md.Fields()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return out, fmt.Errorf("%s: %w", md.FullName(), protowire.ParseError(n))
		}
		if num > protowire.MaxValidNumber || typ == protowire.EndGroupType {
			return out, fmt.Errorf("%s: invalid field tag %d/%d", md.FullName(), num, typ)
		}
		b = b[n:]
		fd := fields.ByNumber(num)
		if fd == nil || !wireTypeFits(fd, typ) {
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return out, fmt.Errorf("%s: field %d: %w", md.FullName(), num, protowire.ParseError(n))
			}
			e.unknown = protowire.AppendTag(e.unknown, num, typ)
			e.unknown = append(e.unknown, b[:n]...)
			b = b[n:]
			continue
		}
		v, n := consumeWireValue(typ, b)
		if n < 0 {
			return out, fmt.Errorf("%s: %w", fd.FullName(), protowire.ParseError(n))
		}
		e.vals = append(e.vals, wireValue{field: fd.Index(), typ: typ, val: v})
		b = b[n:]
	}
	// Nested messages push above these two ends and pop back to them; the
	// slices are taken again after them, since a push may move the stacks.
	valsEnd, unknownEnd := len(e.vals), len(e.unknown)
	vals := e.vals[valsBase:valsEnd]
	// protojson writes fields in declaration order.
	slices.SortStableFunc(vals, func(x, y wireValue) int { return cmp.Compare(x.field, y.field) })
	if err := checkRequired(md, vals); err != nil {
		return out, err
	}
	out = append(out, '{')
	empty := true
	for i := 0; i < len(vals); {
		j := i + 1
		for j < len(vals) && vals[j].field == vals[i].field {
			j++
		}
		fd := fields.Get(vals[i].field)
		mark := len(out)
		if !empty {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, fd.TextName()...)
		out = append(out, `":`...)
		var wrote bool
		var err error
		if out, wrote, err = e.appendField(out, fd, vals[i:j]); err != nil {
			return out, err
		}
		if wrote {
			empty = false
		} else {
			out = out[:mark] // a repeated field whose occurrences held no element
		}
		i = j
	}
	if unknownEnd > unknownBase {
		if !empty {
			out = append(out, ',')
		}
		out = append(out, `"`+unknownKey+`":"`...)
		out = base64.StdEncoding.AppendEncode(out, e.unknown[unknownBase:unknownEnd])
		out = append(out, '"')
	}
	return append(out, '}'), nil
}

// checkRequired reports the first required field of md with no value in
// vals (sorted by field index).
func checkRequired(md protoreflect.MessageDescriptor, vals []wireValue) error {
	req := md.RequiredNumbers()
	for i := 0; i < req.Len(); i++ {
		fd := md.Fields().ByNumber(req.Get(i))
		if _, found := slices.BinarySearchFunc(vals, fd.Index(), func(v wireValue, idx int) int { return cmp.Compare(v.field, idx) }); !found {
			return fmt.Errorf("required field %s not set", fd.FullName())
		}
	}
	return nil
}

// appendField appends the JSON value of field fd given its occurrences
// vals, and reports whether it wrote one (a repeated field whose packed
// occurrences are all empty has no value).
func (e *wireEncoder) appendField(out []byte, fd protoreflect.FieldDescriptor, vals []wireValue) ([]byte, bool, error) {
	var err error
	switch {
	case fd.IsList():
		out = append(out, '[')
		n := 0
		for _, v := range vals {
			if out, n, err = e.appendElems(out, fd, v, n); err != nil {
				return out, false, err
			}
		}
		return append(out, ']'), n > 0, nil
	case fd.Kind() == protoreflect.MessageKind:
		b := vals[0].val
		if len(vals) > 1 { // the occurrences of a singular message merge
			b = nil
			for _, v := range vals {
				b = append(b, v.val...)
			}
		}
		out, err = e.appendMessage(out, fd.Message(), b)
		return out, true, err
	default:
		last := vals[len(vals)-1]
		out, err = appendScalarJSON(out, fd, last.typ, last.val)
		return out, true, err
	}
}

// appendElems appends the elements of one occurrence v of the repeated
// field fd, after the n elements already written, and returns the new
// count.
func (e *wireEncoder) appendElems(out []byte, fd protoreflect.FieldDescriptor, v wireValue, n int) ([]byte, int, error) {
	natural := naturalWireType(fd.Kind())
	if v.typ == natural {
		return e.appendElem(out, fd, natural, v.val, n)
	}
	// A packed run of scalars.
	var err error
	for b := v.val; len(b) > 0; {
		val, k := consumeWireValue(natural, b)
		if k < 0 {
			return out, n, fmt.Errorf("%s: packed: %w", fd.FullName(), protowire.ParseError(k))
		}
		if out, n, err = e.appendElem(out, fd, natural, val, n); err != nil {
			return out, n, err
		}
		b = b[k:]
	}
	return out, n, nil
}

// appendElem appends one element of the repeated field fd, after the n
// already written, and returns the new count.
func (e *wireEncoder) appendElem(out []byte, fd protoreflect.FieldDescriptor, typ protowire.Type, val []byte, n int) ([]byte, int, error) {
	if n > 0 {
		out = append(out, ',')
	}
	var err error
	if fd.Kind() == protoreflect.MessageKind {
		out, err = e.appendMessage(out, fd.Message(), val)
	} else {
		out, err = appendScalarJSON(out, fd, typ, val)
	}
	return out, n + 1, err
}

// appendScalarJSON appends the JSON value of a scalar of field fd, encoded
// as val with wire type typ (its natural one), the way protojson writes it:
// 64-bit integers quoted, enums by name when known, bytes in base64.
func appendScalarJSON(out []byte, fd protoreflect.FieldDescriptor, typ protowire.Type, val []byte) ([]byte, error) {
	var u uint64
	switch typ {
	case protowire.VarintType:
		u, _ = protowire.ConsumeVarint(val)
	case protowire.Fixed32Type:
		v, _ := protowire.ConsumeFixed32(val)
		u = uint64(v)
	case protowire.Fixed64Type:
		u, _ = protowire.ConsumeFixed64(val)
	}
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(out, u != 0), nil
	case protoreflect.Int32Kind, protoreflect.Sfixed32Kind:
		return strconv.AppendInt(out, int64(int32(u)), 10), nil
	case protoreflect.Sint32Kind:
		return strconv.AppendInt(out, int64(int32(protowire.DecodeZigZag(u&0xffffffff))), 10), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind:
		return strconv.AppendUint(out, uint64(uint32(u)), 10), nil
	case protoreflect.Int64Kind, protoreflect.Sfixed64Kind:
		return append(strconv.AppendInt(append(out, '"'), int64(u), 10), '"'), nil
	case protoreflect.Sint64Kind:
		return append(strconv.AppendInt(append(out, '"'), protowire.DecodeZigZag(u), 10), '"'), nil
	case protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return append(strconv.AppendUint(append(out, '"'), u, 10), '"'), nil
	case protoreflect.EnumKind:
		n := protoreflect.EnumNumber(int32(u))
		if ev := fd.Enum().Values().ByNumber(n); ev != nil {
			return appendJSONString(out, string(ev.Name()))
		}
		return strconv.AppendInt(out, int64(n), 10), nil
	case protoreflect.StringKind:
		out, err := appendJSONString(out, string(val))
		if err != nil {
			return out, fmt.Errorf("%s: %w", fd.FullName(), err)
		}
		return out, nil
	case protoreflect.BytesKind:
		out = append(out, '"')
		out = base64.StdEncoding.AppendEncode(out, val)
		return append(out, '"'), nil
	}
	return out, fmt.Errorf("%s: unsupported field kind %s", fd.FullName(), fd.Kind())
}

// naturalWireType is the wire type of one value of a field of kind k
// (StartGroupType for groups, which CRIU does not use).
func naturalWireType(k protoreflect.Kind) protowire.Type {
	switch k {
	case protoreflect.BoolKind, protoreflect.EnumKind,
		protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Uint32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Uint64Kind:
		return protowire.VarintType
	case protoreflect.Fixed32Kind, protoreflect.Sfixed32Kind, protoreflect.FloatKind:
		return protowire.Fixed32Type
	case protoreflect.Fixed64Kind, protoreflect.Sfixed64Kind, protoreflect.DoubleKind:
		return protowire.Fixed64Type
	case protoreflect.StringKind, protoreflect.BytesKind, protoreflect.MessageKind:
		return protowire.BytesType
	}
	return protowire.StartGroupType
}

// wireTypeFits reports whether an occurrence of fd with wire type typ is
// fd's (else it is an unknown field): its natural wire type, or a packed
// run for a repeated scalar number.
func wireTypeFits(fd protoreflect.FieldDescriptor, typ protowire.Type) bool {
	natural := naturalWireType(fd.Kind())
	if typ == natural {
		return true
	}
	return typ == protowire.BytesType && fd.IsList() && natural != protowire.BytesType && natural != protowire.StartGroupType
}

// consumeWireValue returns the value at the start of b, of wire type typ
// (not a group), and its length in b, or a negative protowire error code.
func consumeWireValue(typ protowire.Type, b []byte) ([]byte, int) {
	switch typ {
	case protowire.BytesType:
		v, n := protowire.ConsumeBytes(b)
		return v, n
	case protowire.VarintType, protowire.Fixed32Type, protowire.Fixed64Type:
		n := protowire.ConsumeFieldValue(1, typ, b)
		if n < 0 {
			return nil, n
		}
		return b[:n], n
	}
	return nil, protowire.ConsumeFieldValue(1, typ, b) // reserved or group types: an error code
}

// errInvalidUTF8 is the error for a string field that is not UTF-8, which
// JSON cannot carry (protojson refuses it too).
var errInvalidUTF8 = fmt.Errorf("invalid UTF-8 in string")

// appendJSONString appends s as a JSON string, escaped as protojson does:
// quotes, backslashes and control characters only.
func appendJSONString(out []byte, s string) ([]byte, error) {
	const hex = "0123456789abcdef"
	out = append(out, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				return out, errInvalidUTF8
			}
			i += n
			continue
		}
		if c >= ' ' && c != '"' && c != '\\' {
			i++
			continue
		}
		out = append(out, s[start:i]...)
		switch c {
		case '"', '\\':
			out = append(out, '\\', c)
		case '\b':
			out = append(out, '\\', 'b')
		case '\f':
			out = append(out, '\\', 'f')
		case '\n':
			out = append(out, '\\', 'n')
		case '\r':
			out = append(out, '\\', 'r')
		case '\t':
			out = append(out, '\\', 't')
		default:
			out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	out = append(out, s[start:]...)
	return append(out, '"'), nil
}
