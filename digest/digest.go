// Package digest owns content digests: the Digest value type, the digest
// functions rex supports (SHA-256 and BLAKE3), and ByteStream resource names.
// It is the only package that hashes.
package digest

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// Digest names a blob by the hash of its content and its size in bytes.
// It is comparable and serves as a map key. The function that computed the
// hash is not part of the value: callers carry it alongside.
type Digest struct {
	Hash string
	Size int64
}

// String formats the digest as "hash/size".
func (d Digest) String() string {
	return d.Hash + "/" + strconv.FormatInt(d.Size, 10)
}

// IsZero reports whether d is the zero value (no digest at all).
func (d Digest) IsZero() bool { return d.Hash == "" && d.Size == 0 }

// Parse reads a "hash/size" string. The hash must be 64 lowercase hex digits.
func Parse(s string) (Digest, error) {
	hash, size, ok := strings.Cut(s, "/")
	if !ok {
		return Digest{}, fmt.Errorf("digest %q: want hash/size", s)
	}
	n, err := strconv.ParseInt(size, 10, 64)
	if err != nil {
		return Digest{}, fmt.Errorf("digest %q: bad size: %w", s, err)
	}
	return New(hash, n)
}

// New validates hash and size: 64 lowercase hex digits and a size >= 0.
func New(hash string, size int64) (Digest, error) {
	if err := validateHash(hash); err != nil {
		return Digest{}, err
	}
	if size < 0 {
		return Digest{}, fmt.Errorf("digest %s/%d: negative size", hash, size)
	}
	return Digest{Hash: hash, Size: size}, nil
}

// hashHexLen is the hex length of both SHA-256 and BLAKE3 (256-bit) hashes.
const hashHexLen = 64

func validateHash(hash string) error {
	if len(hash) != hashHexLen {
		return fmt.Errorf("digest hash %q: want %d hex digits, got %d", hash, hashHexLen, len(hash))
	}
	for i := 0; i < len(hash); i++ {
		c := hash[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("digest hash %q: not lowercase hex", hash)
		}
	}
	return nil
}

func hexOf(sum []byte) string { return hex.EncodeToString(sum) }
