//go:build !rexslim

package digest

import (
	"fmt"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/protobuf/proto"
)

// The conversions to and from REAPI messages. Built without them (the
// rexslim tag), the package links neither the generated REAPI code nor
// gRPC: the rex front end, which serves local hits, starts without their
// initialisation.

// Proto converts the digest to its REAPI message.
func (d Digest) Proto() *repb.Digest {
	return &repb.Digest{Hash: d.Hash, SizeBytes: d.Size}
}

// FromProto validates a REAPI digest message and converts it.
func FromProto(p *repb.Digest) (Digest, error) {
	if p == nil {
		return Digest{}, fmt.Errorf("digest: missing")
	}
	return New(p.GetHash(), p.GetSizeBytes())
}

// FunctionFromProto maps a request's digest_function to a Function.
func FunctionFromProto(v repb.DigestFunction_Value) (Function, error) {
	return FunctionFromCode(int32(v))
}

// Proto returns the REAPI enum value.
func (f Function) Proto() repb.DigestFunction_Value { return repb.DigestFunction_Value(f.code) }

// FromMessage serialises m deterministically and digests the bytes. It
// returns the bytes too, since whoever digests a message usually uploads it.
func (f Function) FromMessage(m proto.Message) (Digest, []byte, error) {
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		return Digest{}, nil, fmt.Errorf("marshal %T: %w", m, err)
	}
	return f.FromBytes(b), b, nil
}
