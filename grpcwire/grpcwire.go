// Package grpcwire makes one unary gRPC call over a fresh HTTP/2
// connection, written out by hand: the frames, HPACK (golang.org/x/net's
// encoder and decoder) and gRPC's message prefix and status trailers. It
// is what the rex front end asks a server's action cache with, without
// linking gRPC, whose initialisation alone costs more than a local hit.
// It speaks cleartext HTTP/2 (a grpc:// or unix:// endpoint, or a relay's
// socket); anything it does not expect is an error, and the caller then
// leaves the compile to the full client.
package grpcwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"

	"golang.org/x/net/http2/hpack"
)

// Call is one unary call.
type Call struct {
	Authority string // the :authority header: host:port
	Method    string // "/package.Service/Method"
	// Metadata are the call's other headers, names in lower case.
	Metadata [][2]string
	Request  []byte // the serialised request message
}

// Reply is the server's answer to a call.
type Reply struct {
	Code    int    // the gRPC status code; 0 is OK
	Message string // the status message, as sent
	Body    []byte // the serialised response message, when Code is 0
	// Sent and Received are the bytes the call wrote and read.
	Sent, Received int64
}

// Frame types and flags (RFC 9113).
const (
	frameData         = 0x0
	frameHeaders      = 0x1
	frameRSTStream    = 0x3
	frameSettings     = 0x4
	framePing         = 0x6
	frameGoAway       = 0x7
	frameWindowUpdate = 0x8
	frameContinuation = 0x9

	flagEndStream  = 0x1
	flagAck        = 0x1
	flagEndHeaders = 0x4
	flagPadded     = 0x8
	flagPriority   = 0x20
)

const (
	preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	// window is what the client lets the server send before it reads: a
	// reply is read whole, so the connection and the stream get a window
	// as large as the largest reply taken.
	window = 64 << 20
	// maxFrame is the largest frame a server may send unasked (RFC 9113's
	// default SETTINGS_MAX_FRAME_SIZE); maxRequest what one DATA frame of
	// a request can carry under the server's default window.
	maxFrame   = 16384
	maxRequest = 65535 - 5
	stream     = 1
)

// Invoke makes c over conn, which it owns until it returns (the caller
// sets a deadline on conn and closes it). The error is for a call that
// did not complete as gRPC: a status is in the Reply.
func Invoke(conn net.Conn, c Call) (Reply, error) {
	w := &counter{w: conn}
	if err := writeRequest(w, c); err != nil {
		return Reply{}, err
	}
	rd := &reader{r: &counter{r: conn}, w: w, dec: hpack.NewDecoder(4096, nil)}
	reply, err := rd.reply()
	reply.Sent, reply.Received = w.n, rd.r.(*counter).n
	return reply, err
}

// writeRequest writes the connection preface, the client's settings, the
// window and the call as one write.
func writeRequest(w io.Writer, c Call) error {
	if len(c.Request) > maxRequest {
		return fmt.Errorf("grpcwire: request of %d bytes: larger than one frame", len(c.Request))
	}
	var b bytes.Buffer
	b.WriteString(preface)
	settings := binary.BigEndian.AppendUint16(nil, 0x4) // SETTINGS_INITIAL_WINDOW_SIZE
	settings = binary.BigEndian.AppendUint32(settings, window)
	settings = append(binary.BigEndian.AppendUint16(settings, 0x2), 0, 0, 0, 0) // SETTINGS_ENABLE_PUSH 0
	appendFrame(&b, frameSettings, 0, 0, settings)
	appendFrame(&b, frameWindowUpdate, 0, 0, binary.BigEndian.AppendUint32(nil, window-65535))
	var block bytes.Buffer
	enc := hpack.NewEncoder(&block)
	for _, f := range [][2]string{
		{":method", "POST"}, {":scheme", "http"}, {":path", c.Method}, {":authority", c.Authority},
		{"content-type", "application/grpc"}, {"te", "trailers"},
	} {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1]})
	}
	for _, f := range c.Metadata {
		enc.WriteField(hpack.HeaderField{Name: f[0], Value: f[1], Sensitive: f[0] == "authorization"})
	}
	if block.Len() > maxFrame {
		return fmt.Errorf("grpcwire: %d bytes of headers: larger than one frame", block.Len())
	}
	appendFrame(&b, frameHeaders, flagEndHeaders, stream, block.Bytes())
	msg := binary.BigEndian.AppendUint32([]byte{0}, uint32(len(c.Request)))
	msg = append(msg, c.Request...)
	for len(msg) > maxFrame {
		appendFrame(&b, frameData, 0, stream, msg[:maxFrame])
		msg = msg[maxFrame:]
	}
	appendFrame(&b, frameData, flagEndStream, stream, msg)
	_, err := w.Write(b.Bytes())
	return err
}

func appendFrame(b *bytes.Buffer, typ, flags byte, streamID uint32, payload []byte) {
	n := len(payload)
	b.Write([]byte{byte(n >> 16), byte(n >> 8), byte(n), typ, flags})
	b.Write(binary.BigEndian.AppendUint32(nil, streamID))
	b.Write(payload)
}

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

// counter counts the bytes written to w or read from r.
type counter struct {
	w io.Writer
	r io.Reader
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
