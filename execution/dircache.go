package execution

import (
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/lru"
)

// dirCache keeps the input Directory messages that Execute's check of the
// input tree read recently. A Directory is named by the digest of its
// content, so a kept message is the blob's, whenever it is asked for: the
// check of the next action that names it skips reading and parsing it and
// asks the store only whether the blob is still there, with the files.
// Kept messages are shared and must not be changed. Values are sized by
// their serialised form, the key's digest size.
type dirCache = lru.Cache[cas.Key, *repb.Directory]

// dirCacheBytes bounds the kept messages: a Linux build's 4,300 distinct
// input directories hold about 7 MB.
const dirCacheBytes = 32 << 20

func newDirCache(max int64) *dirCache { return lru.New[cas.Key, *repb.Directory](max) }
