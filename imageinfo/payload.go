package imageinfo

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	bpfmap_data "github.com/checkpoint-restore/go-criu/v7/crit/images/bpfmap-data"
	pipe_data "github.com/checkpoint-restore/go-criu/v7/crit/images/pipe-data"
	sk_packet "github.com/checkpoint-restore/go-criu/v7/crit/images/sk-packet"
	tcp_stream "github.com/checkpoint-restore/go-criu/v7/crit/images/tcp-stream"
	"google.golang.org/protobuf/proto"
)

// payloadSize gives, for each magic whose entries are followed by raw
// bytes, how many bytes an entry announces. crit keeps those bytes in the
// entry's Extra, base64-encoded (TCP_STREAM: a JSON object of in_q and out_q,
// each base64). GHOST_FILE is handled on its own.
var payloadSize = map[string]func(proto.Message) uint64{
	"PIPES_DATA":  pipeDataSize,
	"FIFO_DATA":   pipeDataSize,
	"SK_QUEUES":   skQueueSize,
	"TCP_STREAM":  tcpStreamSize,
	"BPFMAP_DATA": bpfmapDataSize,
}

func pipeDataSize(m proto.Message) uint64 {
	if e, ok := m.(*pipe_data.PipeDataEntry); ok {
		return uint64(e.GetBytes())
	}
	return 0
}

func skQueueSize(m proto.Message) uint64 {
	if e, ok := m.(*sk_packet.SkPacketEntry); ok {
		return uint64(e.GetLength())
	}
	return 0
}

func tcpStreamSize(m proto.Message) uint64 {
	if e, ok := m.(*tcp_stream.TcpStreamEntry); ok {
		return uint64(e.GetInqLen()) + uint64(e.GetOutqLen())
	}
	return 0
}

func bpfmapDataSize(m proto.Message) uint64 {
	if e, ok := m.(*bpfmap_data.BpfmapDataEntry); ok {
		return uint64(e.GetKeysBytes()) + uint64(e.GetValuesBytes())
	}
	return 0
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
