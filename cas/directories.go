package cas

import (
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/lru"
)

// Directories keeps input Directory messages, parsed, by the key of their
// blob, within a bound on their serialised bytes. A Directory is named by
// the digest of its content, so a kept message is its blob's for as long as
// it is kept. rex-server gives one to Execute's check of an input tree and
// to its embedded workers, which stage the same tree moments later: each
// Directory is then read and parsed once per server, not once by each, and
// kept once in memory.
//
// Only a message read from the store under its key and found valid
// (client.ValidateDirectory) may be added, since a worker lays out what it
// finds here without checking it again. Kept messages are shared and must
// not be changed. Values are sized by their key's digest size.
type Directories = lru.Cache[Key, *repb.Directory]

// DefaultDirectoriesBytes bounds the kept messages: a Linux build's 4,300
// distinct input directories hold about 7 MB.
const DefaultDirectoriesBytes = 32 << 20

// NewDirectories returns an empty cache of at most max serialised bytes.
func NewDirectories(max int64) *Directories { return lru.New[Key, *repb.Directory](max) }
