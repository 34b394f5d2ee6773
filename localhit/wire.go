package localhit

import (
	"encoding/binary"
	"time"

	"github.com/rexbuild/rex/digest"
)

// The REAPI messages a hit writes, in the protobuf wire format by hand (see
// result.go for why): the result the local cache keeps, and the lookup the
// front end asks a server's action cache with.

// EncodeResult writes r as an ActionResult, without inline contents, its
// compile time as worker timestamps ending at end.
func EncodeResult(r Result, end time.Time) []byte {
	var b []byte
	for _, f := range r.Files {
		var d []byte
		d = appendBytes(d, digestHash, []byte(f.Digest.Hash))
		d = appendVarint(d, digestSize, uint64(f.Digest.Size))
		var m []byte
		m = appendBytes(m, filePath, []byte(f.Path))
		m = appendBytes(m, fileDigest, d)
		if f.Executable {
			m = appendVarint(m, fileExecutable, 1)
		}
		b = appendBytes(b, resultOutputFiles, m)
	}
	if r.ExitCode != 0 {
		b = appendVarint(b, resultExitCode, uint64(int64(r.ExitCode)))
	}
	if len(r.Stdout) > 0 {
		b = appendBytes(b, resultStdoutRaw, r.Stdout)
	}
	if len(r.Stderr) > 0 {
		b = appendBytes(b, resultStderrRaw, r.Stderr)
	}
	if r.CompileTime > 0 {
		var m []byte
		m = appendBytes(m, metaWorkerStart, timestamp(end.Add(-r.CompileTime)))
		m = appendBytes(m, metaWorkerCompleted, timestamp(end))
		b = appendBytes(b, resultMetadata, m)
	}
	return b
}

func timestamp(t time.Time) []byte {
	b := appendVarint(nil, 1, uint64(t.Unix()))
	if ns := t.Nanosecond(); ns != 0 {
		b = appendVarint(b, 2, uint64(ns))
	}
	return b
}

func appendVarint(b []byte, num int, v uint64) []byte {
	b = binary.AppendUvarint(b, uint64(num)<<3)
	return binary.AppendUvarint(b, v)
}

func appendBytes(b []byte, num int, v []byte) []byte {
	b = binary.AppendUvarint(b, uint64(num)<<3|2)
	b = binary.AppendUvarint(b, uint64(len(v)))
	return append(b, v...)
}

// GetActionResultRequest encodes a lookup of action under fn, with
// stdout, stderr and the outputs named asked inline.
func GetActionResultRequest(instance string, action digest.Digest, fn digest.Function, outputs []string) []byte {
	var d []byte
	d = appendBytes(d, digestHash, []byte(action.Hash))
	d = appendVarint(d, digestSize, uint64(action.Size))
	var b []byte
	if instance != "" {
		b = appendBytes(b, 1, []byte(instance))
	}
	b = appendBytes(b, 2, d)
	b = appendVarint(b, 3, 1) // inline_stdout
	b = appendVarint(b, 4, 1) // inline_stderr
	for _, out := range outputs {
		b = appendBytes(b, 5, []byte(out))
	}
	return appendVarint(b, 6, uint64(fn.Code()))
}

// RequestMetadata encodes the RequestMetadata of a call made for action
// by the tool named.
func RequestMetadata(tool, version, actionID string) []byte {
	var details []byte
	details = appendBytes(details, 1, []byte(tool))
	details = appendBytes(details, 2, []byte(version))
	var b []byte
	b = appendBytes(b, 1, details)
	return appendBytes(b, 2, []byte(actionID))
}
