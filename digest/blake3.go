//go:build !rexslim

package digest

import (
	"hash"

	"github.com/zeebo/blake3"
)

// newBLAKE3 makes a BLAKE3 hasher. The rex front end (built with the
// rexslim tag) leaves BLAKE3 out: the CPU feature probe of the package
// that implements it costs every start a third of a millisecond.
var newBLAKE3 = func() hash.Hash { return blake3.New() }
