package digest

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
)

// Function is a digest function. It is a small comparable value; the zero
// value is not valid, use SHA256 or BLAKE3.
type Function struct {
	// code is the function's value in REAPI's DigestFunction enum.
	code int32
}

// The REAPI DigestFunction values of the functions rex supports.
const (
	codeUnknown = 0
	codeSHA256  = 1
	codeBLAKE3  = 9
)

var (
	// SHA256 is the default: every REAPI server offers it.
	SHA256 = Function{codeSHA256}
	// BLAKE3 is faster to compute; used when the server offers it and the user asks.
	BLAKE3 = Function{codeBLAKE3}
)

// Functions lists every digest function rex supports, the default first.
var Functions = []Function{SHA256, BLAKE3}

// FunctionFromCode maps a DigestFunction enum value to a Function.
// UNKNOWN means a request that predates the field: SHA-256, as the spec says.
func FunctionFromCode(code int32) (Function, error) {
	switch code {
	case codeUnknown, codeSHA256:
		return SHA256, nil
	case codeBLAKE3:
		return BLAKE3, nil
	}
	return Function{}, fmt.Errorf("digest function %d is not supported", code)
}

// Code returns the function's value in REAPI's DigestFunction enum.
func (f Function) Code() int32 { return f.code }

// FunctionFromName parses a lowercase name such as "sha256" or "blake3".
func FunctionFromName(name string) (Function, error) {
	for _, f := range Functions {
		if f.Name() == name {
			return f, nil
		}
	}
	return Function{}, fmt.Errorf("unknown digest function %q", name)
}

// Name returns the lowercase name used in resource names ("sha256", "blake3").
func (f Function) Name() string {
	switch f.code {
	case codeSHA256:
		return "sha256"
	case codeBLAKE3:
		return "blake3"
	}
	return fmt.Sprintf("function-%d", f.code)
}

// String returns Name.
func (f Function) String() string { return f.Name() }

// IsValid reports whether f is one of the supported functions.
func (f Function) IsValid() bool { return f == SHA256 || f == BLAKE3 }

// NewHash returns a fresh streaming hasher.
func (f Function) NewHash() hash.Hash {
	if f == BLAKE3 {
		return mustBLAKE3()
	}
	return sha256.New()
}

// errNoBLAKE3 is what a build without BLAKE3 (rexslim: the front end,
// whose own digests are all SHA-256) answers a BLAKE3 digest with.
var errNoBLAKE3 = errors.New("BLAKE3 is not in this build of rex")

// mustBLAKE3 returns a new BLAKE3 hasher; a build without BLAKE3 has no
// caller of it that does not check first.
func mustBLAKE3() hash.Hash {
	if newBLAKE3 == nil {
		panic(errNoBLAKE3)
	}
	return newBLAKE3()
}

// Hashers and copy buffers are pooled: a compile digests hundreds of
// files, and a fresh BLAKE3 hasher (~10 KB) and copy buffer (32 KB) for
// each were most of what a kernel TU's compile allocated.
var (
	hashers = map[Function]*sync.Pool{
		SHA256: {New: func() any { return sha256.New() }},
		BLAKE3: {New: func() any { return mustBLAKE3() }},
	}
	copyBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}
)

// sum digests what write feeds a pooled hasher.
func (f Function) sum(write func(h hash.Hash) (int64, error)) (Digest, error) {
	if f == BLAKE3 && newBLAKE3 == nil {
		return Digest{}, errNoBLAKE3
	}
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
	d, err := f.sum(func(h hash.Hash) (int64, error) {
		h.Write(b)
		return int64(len(b)), nil
	})
	if err != nil {
		panic(err) // only a build without BLAKE3 fails, and none of its callers asks it
	}
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
