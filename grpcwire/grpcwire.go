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
	"fmt"
	"io"
	"net"

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
