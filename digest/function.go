package digest

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"github.com/zeebo/blake3"
	"google.golang.org/protobuf/proto"
)

// Function is a digest function. It is a small comparable value; the zero
// value is not valid, use SHA256 or BLAKE3.
type Function struct {
	v repb.DigestFunction_Value
}

var (
	// SHA256 is the default: every REAPI server offers it.
	SHA256 = Function{repb.DigestFunction_SHA256}
	// BLAKE3 is faster to compute; used when the server offers it and the user asks.
	BLAKE3 = Function{repb.DigestFunction_BLAKE3}
)

// Functions lists every digest function rex supports, the default first.
var Functions = []Function{SHA256, BLAKE3}

// FunctionFromProto maps a request's digest_function to a Function.
// UNKNOWN means the request predates the field: SHA-256, as the spec says.
func FunctionFromProto(v repb.DigestFunction_Value) (Function, error) {
	switch v {
	case repb.DigestFunction_UNKNOWN, repb.DigestFunction_SHA256:
		return SHA256, nil
	case repb.DigestFunction_BLAKE3:
		return BLAKE3, nil
	}
	return Function{}, fmt.Errorf("digest function %s is not supported", v)
}

// FunctionFromName parses a lowercase name such as "sha256" or "blake3".
func FunctionFromName(name string) (Function, error) {
	for _, f := range Functions {
		if f.Name() == name {
			return f, nil
		}
	}
	return Function{}, fmt.Errorf("unknown digest function %q", name)
}

// Proto returns the REAPI enum value.
func (f Function) Proto() repb.DigestFunction_Value { return f.v }

// Name returns the lowercase name used in resource names ("sha256", "blake3").
func (f Function) Name() string { return strings.ToLower(f.v.String()) }

// String returns Name.
func (f Function) String() string { return f.Name() }

// IsValid reports whether f is one of the supported functions.
func (f Function) IsValid() bool { return f == SHA256 || f == BLAKE3 }

// NewHash returns a fresh streaming hasher.
func (f Function) NewHash() hash.Hash {
	if f == BLAKE3 {
		return blake3.New()
	}
	return sha256.New()
}

// Hashers and copy buffers are pooled: a compile digests hundreds of
// files, and a fresh BLAKE3 hasher (~10 KB) and copy buffer (32 KB) for
// each were most of what a kernel TU's compile allocated.
var (
	hashers = map[Function]*sync.Pool{
		SHA256: {New: func() any { return sha256.New() }},
		BLAKE3: {New: func() any { return blake3.New() }},
	}
	copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

// sum digests what write feeds a pooled hasher.
func (f Function) sum(write func(h hash.Hash) (int64, error)) (Digest, error) {
	pool := hashers[f]
	if pool == nil {
		pool = hashers[SHA256]
	}
	h := pool.Get().(hash.Hash)
	defer pool.Put(h)
	h.Reset()
	n, err := write(h)
	if err != nil {
		return Digest{}, err
	}
	var out [32]byte
	return Digest{Hash: hexOf(h.Sum(out[:0])), Size: n}, nil
}

// FromBytes digests an in-memory blob.
func (f Function) FromBytes(b []byte) Digest {
	d, _ := f.sum(func(h hash.Hash) (int64, error) {
		h.Write(b)
		return int64(len(b)), nil
	})
	return d
}

// FromReader digests everything r yields.
func (f Function) FromReader(r io.Reader) (Digest, error) {
	return f.sum(func(h hash.Hash) (int64, error) {
		buf := copyBuffers.Get().(*[]byte)
		defer copyBuffers.Put(buf)
		// Only the Reader: an *os.File's WriteTo would copy through a
		// buffer of its own.
		return io.CopyBuffer(h, struct{ io.Reader }{r}, *buf)
	})
}

// FromFile digests the file at path.
func (f Function) FromFile(path string) (Digest, error) {
	file, err := os.Open(path)
	if err != nil {
		return Digest{}, err
	}
	defer file.Close()
	d, err := f.FromReader(file)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %s: %w", path, err)
	}
	return d, nil
}

// FromMessage serialises m deterministically and digests the bytes. It
// returns the bytes too, since whoever digests a message usually uploads it.
func (f Function) FromMessage(m proto.Message) (Digest, []byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return Digest{}, nil, fmt.Errorf("marshal %T: %w", m, err)
	}
	return f.FromBytes(b), b, nil
}

// Empty is the digest of the empty blob.
func (f Function) Empty() Digest { return f.FromBytes(nil) }

// Verifier hashes data as it is written and checks it against an expected digest.
type Verifier struct {
	want Digest
	h    hash.Hash
	n    int64
}

// NewVerifier starts checking data against want.
func (f Function) NewVerifier(want Digest) *Verifier {
	return &Verifier{want: want, h: f.NewHash()}
}

// Write feeds data to the hasher; it never fails.
func (v *Verifier) Write(p []byte) (int, error) {
	v.n += int64(len(p))
	return v.h.Write(p)
}

// Check reports whether everything written matches the expected digest.
func (v *Verifier) Check() error {
	if v.n != v.want.Size {
		return fmt.Errorf("blob %s: got %d bytes, want %d", v.want, v.n, v.want.Size)
	}
	if got := hexOf(v.h.Sum(nil)); got != v.want.Hash {
		return fmt.Errorf("blob %s: content hashes to %s", v.want, got)
	}
	return nil
}
