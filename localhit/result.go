package localhit

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/rexbuild/rex/digest"
)

// The local cache keeps results as REAPI ActionResult messages. A hit
// needs a few of their fields, read here from the wire format: the
// generated REAPI code (and gRPC with it) would cost the front end, which
// serves local hits, most of its start-up. The full client writes them
// with the generated code; localhit's tests check the two agree.

// Result is what a hit replays of a cached ActionResult.
type Result struct {
	Files    []OutputFile
	ExitCode int32
	Stdout   []byte
	Stderr   []byte
	// CompileTime is what the compile cost where it ran (the worker's
	// timestamps, else the execution's); 0 when unknown.
	CompileTime time.Duration
}

// OutputFile is an output of a cached result.
type OutputFile struct {
	Path       string
	Digest     digest.Digest
	Executable bool
	// Contents are the file's bytes when the server sent them inline
	// (GetActionResult's inline_output_files); nil otherwise.
	Contents []byte
}

// errUnservable marks a result with what a hit from here does not replay
// (output directories or symlinks, streams by digest): such a result is
// left to the full client.
var errUnservable = errors.New("result holds what a local hit does not replay")

// ActionResult's fields, and those of the messages in it.
const (
	resultOutputFiles     = 2
	resultOutputDirs      = 3
	resultExitCode        = 4
	resultStdoutRaw       = 5
	resultStdoutDigest    = 6
	resultStderrRaw       = 7
	resultStderrDigest    = 8
	resultMetadata        = 9
	resultFileSymlinks    = 10
	resultDirSymlinks     = 11
	resultSymlinks        = 12
	filePath              = 1
	fileDigest            = 2
	fileExecutable        = 4
	fileContents          = 5
	digestHash            = 1
	digestSize            = 2
	metaWorkerStart       = 3
	metaWorkerCompleted   = 4
	metaExecutionStart    = 7
	metaExecutionComplete = 8
)

// DecodeResult reads a cached ActionResult.
func DecodeResult(data []byte) (Result, error) {
	var r Result
	var times [9]time.Time
	var streamSizes [9]int64 // of stdout and stderr by digest
	err := eachField(data, func(num int, v uint64, b []byte) error {
		switch num {
		case resultOutputFiles:
			f, err := decodeFile(b)
			r.Files = append(r.Files, f)
			return err
		case resultExitCode:
			r.ExitCode = int32(v)
		case resultStdoutRaw:
			r.Stdout = b
		case resultStderrRaw:
			r.Stderr = b
		case resultMetadata:
			return eachField(b, func(num int, _ uint64, b []byte) error {
				if !isTimestamp(num) || b == nil {
					return nil
				}
				t, err := decodeTime(b)
				times[num] = t
				return err
			})
		case resultStdoutDigest, resultStderrDigest:
			d, err := decodeDigest(b)
			streamSizes[num] = d.Size
			return err
		case resultOutputDirs, resultFileSymlinks, resultDirSymlinks, resultSymlinks:
			return errUnservable
		}
		return nil
	})
	// A stream may come both inline and by digest; one by digest alone
	// would take a second call.
	if err == nil && (streamSizes[resultStdoutDigest] > 0 && len(r.Stdout) == 0 ||
		streamSizes[resultStderrDigest] > 0 && len(r.Stderr) == 0) {
		err = errUnservable
	}
	r.CompileTime = took(times[metaWorkerStart], times[metaWorkerCompleted])
	if r.CompileTime == 0 {
		r.CompileTime = took(times[metaExecutionStart], times[metaExecutionComplete])
	}
	return r, err
}

// isTimestamp says whether field num of ExecutedActionMetadata is one of
// the timestamps a compile time is taken from.
func isTimestamp(num int) bool {
	switch num {
	case metaWorkerStart, metaWorkerCompleted, metaExecutionStart, metaExecutionComplete:
		return true
	}
	return false
}

func took(start, end time.Time) time.Duration {
	if start.IsZero() || end.IsZero() || !end.After(start) {
		return 0
	}
	return end.Sub(start)
}

func decodeFile(data []byte) (OutputFile, error) {
	var f OutputFile
	var hash string
	var size int64
	err := eachField(data, func(num int, v uint64, b []byte) error {
		switch num {
		case filePath:
			f.Path = string(b)
		case fileDigest:
			d, err := decodeDigest(b)
			hash, size = d.Hash, d.Size
			return err
		case fileExecutable:
			f.Executable = v != 0
		case fileContents:
			f.Contents = b
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	f.Digest, err = digest.New(hash, size)
	return f, err
}

// decodeDigest reads a Digest, unchecked.
func decodeDigest(data []byte) (digest.Digest, error) {
	var d digest.Digest
	err := eachField(data, func(num int, v uint64, b []byte) error {
		switch num {
		case digestHash:
			d.Hash = string(b)
		case digestSize:
			d.Size = int64(v)
		}
		return nil
	})
	return d, err
}

// decodeTime reads a google.protobuf.Timestamp.
func decodeTime(data []byte) (time.Time, error) {
	var sec int64
	var nsec int64
	err := eachField(data, func(num int, v uint64, _ []byte) error {
		switch num {
		case 1:
			sec = int64(v)
		case 2:
			nsec = int64(int32(v))
		}
		return nil
	})
	return time.Unix(sec, nsec), err
}

var errMalformed = errors.New("malformed cached result")

// eachField calls f with each field of a message: its number, and its
// value (varint) or its bytes (length-delimited; nil for other types).
// Fixed-width fields are skipped; groups are refused.
func eachField(data []byte, f func(num int, v uint64, b []byte) error) error {
	for len(data) > 0 {
		tag, n := binary.Uvarint(data)
		if n <= 0 || tag>>3 == 0 || tag>>3 > 1<<29 {
			return errMalformed
		}
		data = data[n:]
		num, v := int(tag>>3), uint64(0)
		var b []byte
		switch tag & 7 {
		case 0: // varint
			if v, n = binary.Uvarint(data); n <= 0 {
				return errMalformed
			}
			data = data[n:]
		case 1: // fixed64
			if len(data) < 8 {
				return errMalformed
			}
			data = data[8:]
			continue
		case 2: // length-delimited
			l, n := binary.Uvarint(data)
			if n <= 0 || l > uint64(len(data)-n) {
				return errMalformed
			}
			b, data = data[n:n+int(l):n+int(l)], data[n+int(l):]
			if b == nil {
				b = []byte{}
			}
		case 5: // fixed32
			if len(data) < 4 {
				return errMalformed
			}
			data = data[4:]
			continue
		default:
			return errMalformed
		}
		if err := f(num, v, b); err != nil {
			return err
		}
	}
	return nil
}

// Complete reports whether the result can stand for a local compile: a
// success that produced every output the compile declares.
func (r Result) Complete(outputs []string) bool {
	if r.ExitCode != 0 {
		return false
	}
	have := make(map[string]bool, len(r.Files))
	for _, f := range r.Files {
		have[f.Path] = true
	}
	for _, out := range outputs {
		if !have[out] {
			return false
		}
	}
	return true
}
