package limits

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bspb "google.golang.org/genproto/googleapis/bytestream"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/integration/testenv"
)

// 400 uploads over 8 connections each send one byte of a 1 MiB blob and
// stall. The per-client cap (256 calls) refuses the rest with
// RESOURCE_EXHAUSTED; the admitted ones hold a partial file each but no
// descriptor while they wait, and after --upload-idle they are ended with
// DEADLINE_EXCEEDED and their files deleted. The server then serves a
// normal upload. Bounds: fds under 100 while 256 uploads stall, peak RSS
// under 128 MiB.
func TestSlowUploadFloodStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs the binaries")
	}
	srv := testenv.StartServer(t, "", "--workers", "0", "--upload-idle", "3s", "--max-calls-per-client", "256")
	before := usageOf(t, srv.PID())
	const conns, perConn, admitted = 8, 50, 256
	results := make(chan error, conns*perConn)
	var wg sync.WaitGroup
	for c := 0; c < conns; c++ {
		bs := bspb.NewByteStreamClient(dial(t, srv))
		for i := 0; i < perConn; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results <- stallOne(bs, fmt.Sprintf("c%d-u%d", c, i))
			}()
		}
	}
	uploads := filepath.Join(srv.Dir, "uploads")
	for countFiles(uploads) < admitted {
		time.Sleep(10 * time.Millisecond) // until every admitted upload has its file
	}
	during := usageOf(t, srv.PID())
	wg.Wait()
	close(results)
	counts := map[codes.Code]int{}
	for err := range results {
		counts[status.Code(err)]++
	}
	after := usageOf(t, srv.PID())
	t.Logf("before: %v; %d uploads stalled: %v; after they expired: %v; outcomes %v", before, admitted, during, after, counts)
	if counts[codes.DeadlineExceeded] != admitted || counts[codes.ResourceExhausted] != conns*perConn-admitted {
		t.Errorf("outcomes %v, want %d DeadlineExceeded and %d ResourceExhausted", counts, admitted, conns*perConn-admitted)
	}
	if during.fds > 100 {
		t.Errorf("%d fds open while uploads stall, bound 100", during.fds)
	}
	if n := countFiles(uploads); n != 0 {
		t.Errorf("%d partial upload files left after the idle timeout", n)
	}
	if after.peakRSS > 128<<20 {
		t.Errorf("peak RSS %d MiB over the 128 MiB bound", after.peakRSS>>20)
	}
	data := randomBlob(9, 1<<20)
	if err := upload(bspb.NewByteStreamClient(dial(t, srv)), data); err != nil {
		t.Errorf("upload after the flood: %v", err)
	}
}

// stallOne sends one byte of a 1 MiB upload and waits for the server's
// answer without sending more.
func stallOne(bs bspb.ByteStreamClient, uuid string) error {
	d := digest.SHA256.FromBytes([]byte(uuid))
	d.Size = 1 << 20
	stream, err := bs.Write(context.Background())
	if err != nil {
		return err
	}
	// A Send that meets a stream the server already ended returns io.EOF;
	// the status the server gave (the cap's RESOURCE_EXHAUSTED) comes from
	// the receive, so the receive decides in both cases.
	_ = stream.Send(&bspb.WriteRequest{ResourceName: digest.WriteName("", uuid, digest.SHA256, d, ""), Data: []byte("x")})
	return stream.RecvMsg(&bspb.WriteResponse{})
}

// upload writes data whole with ByteStream.
func upload(bs bspb.ByteStreamClient, data []byte) error {
	d := digest.SHA256.FromBytes(data)
	stream, err := bs.Write(context.Background())
	if err != nil {
		return err
	}
	name := digest.WriteName("", "whole", digest.SHA256, d, "")
	for off := 0; off < len(data); off += 64 << 10 {
		end := min(off+64<<10, len(data))
		req := &bspb.WriteRequest{WriteOffset: int64(off), Data: data[off:end], FinishWrite: end == len(data)}
		if off == 0 {
			req.ResourceName = name
		}
		if err := stream.Send(req); err != nil {
			break
		}
	}
	resp, err := stream.CloseAndRecv()
	if err == nil && resp.GetCommittedSize() != d.Size {
		err = fmt.Errorf("committed %d of %d bytes", resp.GetCommittedSize(), d.Size)
	}
	return err
}

func countFiles(dir string) int {
	entries, _ := os.ReadDir(dir)
	return len(entries)
}
