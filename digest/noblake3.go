//go:build rexslim

package digest

import "hash"

// newBLAKE3 is nil: this build has no BLAKE3 (see blake3.go).
var newBLAKE3 func() hash.Hash
