// Package localcache is rex's first-level cache under REX_DIR: results of
// compiles, their output files and the direct-mode records, in one store
// bounded in size and evicted least recently used. It serves a hit without
// the network, and with no server at all it makes rex a local compiler
// cache.
//
// Many rex processes share it (make -j64). Every file is written to a
// temporary name and renamed into place, so a reader sees a whole file or
// none; a hit takes no lock. The store is split into 16 shards by the
// first hex digit of a key, each with its own size counter under an flock,
// updated only when something is added; a shard past its share of the
// bound drops its least recently used files.
package localcache

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Kinds of entries.
const (
	Results   = "ac"       // compile results, by action key
	Blobs     = "cas"      // output files, by SHA-256 hash
	Manifests = "manifest" // direct-mode records, by context key
	Scans     = "scan"     // a source's last dependency scan, by compiler, cwd and source
)

const shards = 16

// touchAfter is how stale an entry's mtime may get before a hit refreshes
// it: the order of eviction needs no finer grain, and a hit then mostly
// writes nothing.
const touchAfter = time.Minute

// Store is a bounded cache directory. A nil *Store caches nothing.
type Store struct {
	dir   string
	limit int64
}

// Open returns the store under dir bounded to limit bytes, or nil when
// limit is 0 (the cache is off).
func Open(dir string, limit int64) *Store {
	if limit <= 0 || dir == "" {
		return nil
	}
	return &Store{dir: dir, limit: limit}
}

// Path is where the entry of kind and key lives. Keys are hex digests.
func (s *Store) Path(kind, key string) string {
	return filepath.Join(s.dir, shardOf(key), kind, key)
}

func shardOf(key string) string {
	if key == "" {
		return "0"
	}
	return key[:1]
}

// Get returns the entry's content and marks it used.
func (s *Store) Get(kind, key string) ([]byte, bool) {
	if s == nil {
		return nil, false
	}
	p := s.Path(kind, key)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	s.Touch(kind, key)
	return data, true
}

// Has reports whether the entry exists, without marking it used.
func (s *Store) Has(kind, key string) bool {
	if s == nil {
		return false
	}
	_, err := os.Stat(s.Path(kind, key))
	return err == nil
}

// Touch marks an entry used, so that eviction takes it last.
func (s *Store) Touch(kind, key string) {
	if s == nil {
		return
	}
	p := s.Path(kind, key)
	if st, err := os.Stat(p); err == nil && time.Since(st.ModTime()) > touchAfter {
		now := time.Now()
		os.Chtimes(p, now, now)
	}
}

// Put stores data as the entry of kind and key.
func (s *Store) Put(kind, key string, data []byte) error {
	if s == nil {
		return nil
	}
	return s.add(kind, key, func(f *os.File) error { _, err := f.Write(data); return err })
}

func (s *Store) add(kind, key string, write func(*os.File) error) error {
	p := s.Path(kind, key)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	werr := write(tmp)
	st, serr := tmp.Stat()
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = serr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), p)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("local cache: %w", werr)
	}
	return s.account(shardOf(key), st.Size())
}

// account adds n bytes to a shard's counter and evicts when the shard is
// past its share of the bound.
func (s *Store) account(shard string, n int64) error {
	f, err := os.OpenFile(filepath.Join(s.dir, shard, "size"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	var buf [8]byte
	f.ReadAt(buf[:], 0)
	size := int64(binary.LittleEndian.Uint64(buf[:])) + n
	if share := s.limit / shards; size > share {
		size = s.evict(shard, share*8/10)
	}
	binary.LittleEndian.PutUint64(buf[:], uint64(size))
	_, err = f.WriteAt(buf[:], 0)
	return err
}

type file struct {
	path  string
	size  int64
	mtime time.Time
}

// evict removes a shard's least recently used files until it holds at
// most keep bytes, and returns what it holds.
func (s *Store) evict(shard string, keep int64) int64 {
	var files []file
	var total int64
	root := filepath.Join(s.dir, shard)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Dir(p) == root {
			return nil
		}
		info, err := d.Info()
		if err != nil || strings.HasPrefix(d.Name(), ".tmp-") && time.Since(info.ModTime()) < time.Hour {
			return nil // another process is writing it
		}
		{
			files = append(files, file{p, info.Size(), info.ModTime()})
			total += info.Size()
		}
		return nil
	})
	sort.Slice(files, func(i, j int) bool { return files[i].mtime.Before(files[j].mtime) })
	for _, f := range files {
		if total <= keep {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
	return total
}

// Usage is what the store holds, from the shards' counters: a read of 16
// small files, no walk.
func Usage(dir string) int64 {
	var total int64
	for i := 0; i < shards; i++ {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("%x", i), "size"))
		if err == nil && len(b) >= 8 {
			total += int64(binary.LittleEndian.Uint64(b))
		}
	}
	return total
}
