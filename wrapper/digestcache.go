package wrapper

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/manifest"
)

// digestCache remembers the content digests of system headers by their
// stat data (size, mtime, ctime, inode), so that a cache hit stats them
// instead of reading ~2 MB per TU. Any write to a file changes its ctime and
// a package upgrade replaces the inode, so a stale entry is never used. A
// file modified in the last two seconds is not remembered: its mtime may
// not yet tell a second write apart.
//
// The cache is one append-only file of lines; many rex processes append at
// once (each with a single write), later lines win, and it is rewritten
// when it grows past maxCacheBytes.
type digestCache struct {
	path    string
	entries map[string]string // path -> "size mtime ctime ino hash/size"
	added   []string
}

const (
	maxCacheBytes = 8 << 20
	racyWindow    = manifest.RacyWindow
)

func loadDigestCache(stateDir string) *digestCache {
	c := &digestCache{entries: map[string]string{}}
	if stateDir == "" {
		return c
	}
	c.path = filepath.Join(stateDir, "system-digests")
	data, err := os.ReadFile(c.path)
	if err != nil {
		return c
	}
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		if path, rest, ok := strings.Cut(string(line), "\t"); ok {
			c.entries[path] = rest
		}
	}
	return c
}

func statKey(st os.FileInfo) (string, bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%d %d %d %d", st.Size(), st.ModTime().UnixNano(),
		time.Unix(sys.Ctim.Sec, sys.Ctim.Nsec).UnixNano(), sys.Ino), true
}

// lookup returns the remembered digest of path, if its stat still matches.
func (c *digestCache) lookup(path string) (digest.Digest, bool) {
	rest, ok := c.entries[path]
	if !ok {
		return digest.Digest{}, false
	}
	st, err := os.Stat(path)
	if err != nil {
		return digest.Digest{}, false
	}
	key, ok := statKey(st)
	i := strings.LastIndexByte(rest, ' ')
	if !ok || i < 0 || rest[:i] != key {
		return digest.Digest{}, false
	}
	d, err := digest.Parse(rest[i+1:])
	return d, err == nil
}

// compute digests path and remembers it unless it changed too recently.
func (c *digestCache) compute(path string) (digest.Digest, string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return digest.Digest{}, "", err
	}
	d, err := digest.BLAKE3.FromFile(path)
	if err != nil {
		return digest.Digest{}, "", err
	}
	// The ctime, not the mtime, says how recent a change is: an unpacked
	// tarball's files get old mtimes the moment they are written.
	key, ok := statKey(st)
	sys, _ := st.Sys().(*syscall.Stat_t)
	if !ok || sys == nil || time.Since(time.Unix(sys.Ctim.Unix())) < racyWindow {
		return d, "", nil
	}
	return d, path + "\t" + key + " " + d.String(), nil
}

// save appends what this process learnt, or rewrites the file when it has
// grown too large. Failures only cost the next process some hashing.
func (c *digestCache) save() {
	if c.path == "" || len(c.added) == 0 {
		return
	}
	lines := strings.Join(c.added, "\n") + "\n"
	if st, err := os.Stat(c.path); err == nil && st.Size()+int64(len(lines)) > maxCacheBytes {
		writeFileAtomic(c.path, []byte(lines))
		return
	}
	os.MkdirAll(filepath.Dir(c.path), 0o755)
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return
	}
	w := bufio.NewWriterSize(f, len(lines))
	w.WriteString(lines)
	w.Flush()
	f.Close()
}

// writeFileAtomic writes a state file with replaceFile, creating its
// directory. Failures only cost a cache entry.
func writeFileAtomic(path string, data []byte) {
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		replaceFile(path, data)
	}
}
