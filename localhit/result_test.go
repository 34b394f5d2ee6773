package localhit

import (
	"reflect"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/rexbuild/rex/digest"
)

// DecodeResult reads what the generated code writes: the full client keeps
// results with it, the front end reads them with DecodeResult.
func TestDecodeResultReadsGeneratedMessages(t *testing.T) {
	obj := digest.SHA256.FromBytes([]byte("object"))
	dep := digest.BLAKE3.FromBytes([]byte("a.o: a.c"))
	start := time.Unix(1700000000, 123456789)
	ar := &repb.ActionResult{
		OutputFiles: []*repb.OutputFile{
			{Path: "a.o", Digest: obj.Proto()},
			{Path: "sub/run", Digest: dep.Proto(), IsExecutable: true, NodeProperties: &repb.NodeProperties{}},
		},
		ExitCode:  0,
		StdoutRaw: []byte("out"),
		StderrRaw: []byte("warning: x\n"),
		ExecutionMetadata: &repb.ExecutedActionMetadata{
			Worker:                   "w",
			WorkerStartTimestamp:     timestamppb.New(start),
			WorkerCompletedTimestamp: timestamppb.New(start.Add(1500 * time.Millisecond)),
		},
	}
	data, err := proto.Marshal(ar)
	if err != nil {
		t.Fatal(err)
	}
	r, err := DecodeResult(data)
	if err != nil {
		t.Fatal(err)
	}
	want := []OutputFile{{Path: "a.o", Digest: obj}, {Path: "sub/run", Digest: dep, Executable: true}}
	if !reflect.DeepEqual(r.Files, want) {
		t.Errorf("files %+v, want %+v", r.Files, want)
	}
	if string(r.Stdout) != "out" || string(r.Stderr) != "warning: x\n" || r.ExitCode != 0 {
		t.Errorf("streams %q %q, exit %d", r.Stdout, r.Stderr, r.ExitCode)
	}
	if r.CompileTime != 1500*time.Millisecond {
		t.Errorf("compile time %v, want 1.5s", r.CompileTime)
	}
	if !r.Complete([]string{"a.o", "sub/run"}) || r.Complete([]string{"a.o", "a.d"}) {
		t.Error("Complete does not check the declared outputs")
	}

	ar.ExitCode = -1
	ar.ExecutionMetadata = &repb.ExecutedActionMetadata{
		ExecutionStartTimestamp:     timestamppb.New(start),
		ExecutionCompletedTimestamp: timestamppb.New(start.Add(time.Second)),
	}
	data, _ = proto.Marshal(ar)
	if r, err = DecodeResult(data); err != nil || r.ExitCode != -1 || r.Complete(nil) || r.CompileTime != time.Second {
		t.Errorf("exit -1: %+v, %v", r, err)
	}
}

// A result with what a hit does not replay is not served: streams by
// digest alone, directories, symlinks; and damage is an error.
func TestDecodeResultRefusesWhatItCannotReplay(t *testing.T) {
	d := digest.SHA256.FromBytes([]byte("x")).Proto()
	for name, ar := range map[string]*repb.ActionResult{
		"stdout by digest": {StdoutDigest: d},
		"stderr by digest": {StderrDigest: d, StdoutRaw: []byte("x")},
		"directory":        {OutputDirectories: []*repb.OutputDirectory{{Path: "d", TreeDigest: d}}},
		"symlink":          {OutputSymlinks: []*repb.OutputSymlink{{Path: "l", Target: "t"}}},
		"file symlink":     {OutputFileSymlinks: []*repb.OutputSymlink{{Path: "l", Target: "t"}}},
		"bad digest":       {OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: &repb.Digest{Hash: "zz", SizeBytes: 1}}}},
	} {
		data, _ := proto.Marshal(ar)
		if _, err := DecodeResult(data); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	both, _ := proto.Marshal(&repb.ActionResult{StdoutRaw: []byte("x"), StdoutDigest: d})
	if r, err := DecodeResult(both); err != nil || string(r.Stdout) != "x" {
		t.Errorf("stdout inline and by digest: %q, %v", r.Stdout, err)
	}
	good, _ := proto.Marshal(&repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: d}}})
	for n := 1; n < len(good); n++ {
		if _, err := DecodeResult(good[:n]); err == nil {
			t.Errorf("cut at %d of %d bytes: decoded", n, len(good))
		}
	}
}

// EncodeResult writes what the generated code reads, and DecodeResult
// reads it back; inline contents decode too (a server's reply).
func TestEncodeResult(t *testing.T) {
	obj := digest.SHA256.FromBytes([]byte("object"))
	start := time.Unix(1700000000, 5)
	r := Result{Files: []OutputFile{{Path: "a.o", Digest: obj}, {Path: "bin/x", Digest: obj, Executable: true}},
		Stdout: []byte("o"), Stderr: []byte("e"), CompileTime: 2 * time.Second}
	data := EncodeResult(r, start)
	var ar repb.ActionResult
	if err := proto.Unmarshal(data, &ar); err != nil {
		t.Fatal(err)
	}
	m := ar.GetExecutionMetadata()
	if len(ar.GetOutputFiles()) != 2 || ar.GetOutputFiles()[1].GetPath() != "bin/x" || !ar.GetOutputFiles()[1].GetIsExecutable() ||
		ar.GetOutputFiles()[0].GetDigest().GetHash() != obj.Hash || string(ar.GetStdoutRaw()) != "o" || string(ar.GetStderrRaw()) != "e" ||
		m.GetWorkerCompletedTimestamp().AsTime().Sub(m.GetWorkerStartTimestamp().AsTime()) != 2*time.Second {
		t.Errorf("generated code reads %v", &ar)
	}
	back, err := DecodeResult(data)
	if err != nil || !reflect.DeepEqual(back, r) {
		t.Errorf("read back %+v, %v; want %+v", back, err, r)
	}
	inline, _ := proto.Marshal(&repb.ActionResult{OutputFiles: []*repb.OutputFile{{Path: "a.o", Digest: obj.Proto(), Contents: []byte("object")}}})
	if back, err := DecodeResult(inline); err != nil || string(back.Files[0].Contents) != "object" {
		t.Errorf("inline contents: %+v, %v", back, err)
	}
}
