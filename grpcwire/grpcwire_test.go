package grpcwire

import (
	"bytes"
	"context"
	"net"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// actionCache answers by the request's instance name: "big" a result with
// 1 MiB of stdout (more than HTTP/2's default windows), "missing"
// NOT_FOUND, anything else a small result naming the caller's token.
type actionCache struct {
	repb.UnimplementedActionCacheServer
}

func (actionCache) GetActionResult(ctx context.Context, req *repb.GetActionResultRequest) (*repb.ActionResult, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	switch req.GetInstanceName() {
	case "missing":
		return nil, status.Error(codes.NotFound, "no such action: é")
	case "big":
		return &repb.ActionResult{StdoutRaw: bytes.Repeat([]byte("x"), 1<<20)}, nil
	}
	return &repb.ActionResult{ExitCode: 3, StderrRaw: []byte(req.GetActionDigest().GetHash() + " " + md.Get("authorization")[0] +
		" " + md.Get("x-team")[0] + " " + req.GetInlineOutputFiles()[0])}, nil
}

func serve(t *testing.T, network, addr string) net.Addr {
	lis, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	s := grpc.NewServer()
	repb.RegisterActionCacheServer(s, actionCache{})
	go s.Serve(lis)
	t.Cleanup(s.Stop)
	return lis.Addr()
}

func call(t *testing.T, addr net.Addr, instance string) (Reply, error) {
	t.Helper()
	conn, err := net.Dial(addr.Network(), addr.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	req, _ := proto.Marshal(&repb.GetActionResultRequest{InstanceName: instance,
		ActionDigest: &repb.Digest{Hash: "abc", SizeBytes: 3}, InlineOutputFiles: []string{"a.o"}})
	return Invoke(conn, Call{Authority: "localhost", Method: "/build.bazel.remote.execution.v2.ActionCache/GetActionResult",
		Metadata: [][2]string{{"authorization", "Bearer t0k"}, {"x-team", "compilers"}}, Request: req})
}

func TestInvokeAgainstGRPCGo(t *testing.T) {
	for _, addr := range []net.Addr{serve(t, "tcp", "127.0.0.1:0"), serve(t, "unix", t.TempDir()+"/s")} {
		r, err := call(t, addr, "")
		if err != nil {
			t.Fatal(err)
		}
		var ar repb.ActionResult
		if r.Code != 0 || proto.Unmarshal(r.Body, &ar) != nil {
			t.Fatalf("%s: code %d %q, body %d bytes", addr.Network(), r.Code, r.Message, len(r.Body))
		}
		if got := string(ar.GetStderrRaw()); ar.GetExitCode() != 3 || got != "abc Bearer t0k compilers a.o" {
			t.Errorf("%s: exit %d, the server saw %q", addr.Network(), ar.GetExitCode(), got)
		}
		if r.Sent == 0 || r.Received < int64(len(r.Body)) {
			t.Errorf("%s: %d bytes sent, %d received", addr.Network(), r.Sent, r.Received)
		}

		if r, err = call(t, addr, "missing"); err != nil || r.Code != int(codes.NotFound) || r.Message == "" {
			t.Errorf("%s: a miss: %+v, %v", addr.Network(), r, err)
		}
		r, err = call(t, addr, "big")
		if err != nil || proto.Unmarshal(r.Body, &ar) != nil || len(ar.GetStdoutRaw()) != 1<<20 {
			t.Errorf("%s: a 1 MiB reply: %v, %d bytes of stdout", addr.Network(), err, len(ar.GetStdoutRaw()))
		}
	}
}

// A peer that does not speak HTTP/2, or stops answering, is an error,
// never a reply.
func TestInvokeRefusesWhatIsNotGRPC(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer lis.Close()
	go func() {
		for i := 0; ; i++ {
			c, err := lis.Accept()
			if err != nil {
				return
			}
			if i == 0 {
				c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
			}
			defer c.Close() // the second says nothing
		}
	}()
	for _, what := range []string{"HTTP/1.1", "silence"} {
		conn, err := net.Dial("tcp", lis.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(300 * time.Millisecond))
		if r, err := Invoke(conn, Call{Authority: "x", Method: "/a/b", Request: []byte{1}}); err == nil {
			t.Errorf("%s: reply %+v", what, r)
		}
		conn.Close()
	}
}
