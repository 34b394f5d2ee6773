package grpcwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"

	"golang.org/x/net/http2/hpack"
)

// reader reads the server's frames until the call's stream ends.
type reader struct {
	r       io.Reader
	w       io.Writer
	dec     *hpack.Decoder
	headers []hpack.HeaderField // the response headers, then the trailers
	body    []byte
	sawHead bool
}

var errProtocol = errors.New("grpcwire: unexpected HTTP/2 from the server")

func (rd *reader) reply() (Reply, error) {
	for {
		typ, flags, id, payload, err := rd.frame()
		if err != nil {
			return Reply{}, err
		}
		done, err := rd.handle(typ, flags, id, payload)
		if err != nil {
			return Reply{}, err
		}
		if done {
			return rd.finish()
		}
	}
}

// frame reads one frame.
func (rd *reader) frame() (typ, flags byte, id uint32, payload []byte, err error) {
	var h [9]byte
	if _, err = io.ReadFull(rd.r, h[:]); err != nil {
		return 0, 0, 0, nil, fmt.Errorf("grpcwire: %w", err)
	}
	n := int(h[0])<<16 | int(h[1])<<8 | int(h[2])
	if n > maxFrame {
		return 0, 0, 0, nil, errProtocol
	}
	payload = make([]byte, n)
	if _, err = io.ReadFull(rd.r, payload); err != nil {
		return 0, 0, 0, nil, fmt.Errorf("grpcwire: %w", err)
	}
	return h[3], h[4], binary.BigEndian.Uint32(h[5:]) & 0x7fffffff, payload, nil
}

// handle takes one frame; done says the call's stream has ended.
func (rd *reader) handle(typ, flags byte, id uint32, payload []byte) (done bool, err error) {
	switch typ {
	case frameSettings:
		if flags&flagAck == 0 {
			var b bytes.Buffer
			appendFrame(&b, frameSettings, flagAck, 0, nil)
			_, err = rd.w.Write(b.Bytes())
		}
		return false, err
	case framePing:
		if flags&flagAck == 0 && len(payload) == 8 {
			var b bytes.Buffer
			appendFrame(&b, framePing, flagAck, 0, payload)
			_, err = rd.w.Write(b.Bytes())
		}
		return false, err
	case frameGoAway:
		return false, fmt.Errorf("grpcwire: the server went away")
	case frameRSTStream:
		if id == stream {
			return false, fmt.Errorf("grpcwire: the server reset the call")
		}
	case frameData:
		if id != stream {
			return false, errProtocol
		}
		data, err := unpad(flags, payload)
		if err != nil {
			return false, err
		}
		rd.body = append(rd.body, data...)
		return flags&flagEndStream != 0, nil
	case frameHeaders:
		if id != stream {
			return false, errProtocol
		}
		return rd.headerBlock(flags, payload)
	}
	return false, nil // WINDOW_UPDATE, PRIORITY and the rest: nothing to do
}

// headerBlock decodes a HEADERS frame and its CONTINUATION frames.
func (rd *reader) headerBlock(flags byte, payload []byte) (done bool, err error) {
	block, err := unpad(flags, payload)
	if err != nil {
		return false, err
	}
	if flags&flagPriority != 0 {
		if len(block) < 5 {
			return false, errProtocol
		}
		block = block[5:]
	}
	end := flags&flagEndStream != 0
	for flags&flagEndHeaders == 0 {
		var typ byte
		var id uint32
		var more []byte
		if typ, flags, id, more, err = rd.frame(); err != nil {
			return false, err
		}
		if typ != frameContinuation || id != stream {
			return false, errProtocol
		}
		block = append(block, more...)
	}
	fields, err := rd.dec.DecodeFull(block)
	if err != nil {
		return false, fmt.Errorf("grpcwire: headers: %w", err)
	}
	if !rd.sawHead {
		rd.sawHead = true
		for _, f := range fields {
			if f.Name == ":status" && f.Value != "200" {
				return false, fmt.Errorf("grpcwire: HTTP status %s", f.Value)
			}
		}
	}
	rd.headers = append(rd.headers, fields...)
	return end, nil
}

func unpad(flags byte, payload []byte) ([]byte, error) {
	if flags&flagPadded == 0 {
		return payload, nil
	}
	if len(payload) < 1 || int(payload[0]) >= len(payload) {
		return nil, errProtocol
	}
	return payload[1 : len(payload)-int(payload[0])], nil
}

// finish reads the status from the trailers and the message from the body.
func (rd *reader) finish() (Reply, error) {
	var reply Reply
	code := ""
	for _, f := range rd.headers {
		switch f.Name {
		case "grpc-status":
			code = f.Value
		case "grpc-message":
			reply.Message = f.Value
		}
	}
	n, err := strconv.Atoi(code)
	if err != nil {
		return Reply{}, fmt.Errorf("grpcwire: no status in the reply")
	}
	reply.Code = n
	if n != 0 {
		return reply, nil
	}
	if len(rd.body) < 5 || rd.body[0] != 0 || int(binary.BigEndian.Uint32(rd.body[1:5])) != len(rd.body)-5 {
		return Reply{}, fmt.Errorf("grpcwire: the reply is not one uncompressed message")
	}
	reply.Body = rd.body[5:]
	return reply, nil
}
