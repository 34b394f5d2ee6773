package digest

import (
	"crypto/sha256"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

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

// FromBytes digests an in-memory blob.
func (f Function) FromBytes(b []byte) Digest {
	h := f.NewHash()
	h.Write(b)
	return Digest{Hash: hexOf(h.Sum(nil)), Size: int64(len(b))}
}

// FromReader digests everything r yields.
func (f Function) FromReader(r io.Reader) (Digest, error) {
	h := f.NewHash()
	n, err := io.Copy(h, r)
	if err != nil {
		return Digest{}, err
	}
	return Digest{Hash: hexOf(h.Sum(nil)), Size: n}, nil
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
