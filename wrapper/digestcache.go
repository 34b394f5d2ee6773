package wrapper

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/filesum"
	"github.com/rexbuild/rex/manifest"
)

// digestCache remembers the content digests of files by their stat data
// (size, mtime, ctime, device, inode), so that a compile stats its inputs
// instead of reading them: ~2 MB of system headers for a TU that includes
// <iostream>, ~6 MB of project headers for a kernel TU. Any write to a file
// changes its ctime and an editor's rename or a package upgrade replaces the
// inode, so a stale entry is never used. A file changed in the last two
// seconds is not remembered: its timestamps may not yet tell a second write
// apart.
//
// There is one cache per digest function: one file of lines that many rex
// processes append to at once (each with a single write); later lines win,
// and the file is compacted when it grows past maxCacheBytes. Each line
// ends in a checksum of the rest of it (package filesum): a byte the disk changed in a hash
// would key a compile by another content, so a line whose sum does not
// match is no entry (the file is hashed again), and so is a line of an
// earlier version, which has none.
type digestCache struct {
	path    string
	fn      digest.Function
	entries map[string]string // path -> "size mtime ctime dev ino hash/size crc"
	added   []string
}

// lineSum is the sum a line of the digest or directive cache ends in: a
// checksum of its key (a path, a content digest), a tab and body, in hex.
func lineSum(key, body string) string {
	sum := filesum.Update(0, []byte(key))
	sum = filesum.Update(sum, []byte{'\t'})
	sum = filesum.Update(sum, []byte(body))
	var b [8]byte
	return string(strconv.AppendUint(b[:0], uint64(sum), 16))
}

const (
	maxCacheBytes = 8 << 20
	racyWindow    = manifest.RacyWindow
)

// digestCaches are the caches a compile uses, one per digest function,
// each loaded on first use and saved once.
type digestCaches struct {
	stateDir string
	byFn     map[digest.Function]*digestCache
}

func newDigestCaches(stateDir string) *digestCaches {
	return &digestCaches{stateDir: stateDir, byFn: map[digest.Function]*digestCache{}}
}

func (cs *digestCaches) get(fn digest.Function) *digestCache {
	c, ok := cs.byFn[fn]
	if !ok {
		c = loadDigestCache(cs.stateDir, fn)
		cs.byFn[fn] = c
	}
	return c
}

// save writes what every cache learnt. Failures only cost the next process
// some hashing.
func (cs *digestCaches) save() {
	for _, c := range cs.byFn {
		c.save()
	}
}

func loadDigestCache(stateDir string, fn digest.Function) *digestCache {
	c := &digestCache{fn: fn, entries: map[string]string{}}
	if stateDir == "" {
		return c
	}
	c.path = filepath.Join(stateDir, "digests-"+fn.Name())
	// One string for the whole file: the entries are slices of it, not
	// two allocations a line.
	text, err := readText(c.path)
	if err != nil {
		return c
	}
	c.entries = make(map[string]string, strings.Count(text, "\n"))
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if i := strings.IndexByte(line, '\t'); i > 0 {
			c.entries[line[:i]] = line[i+1:]
		}
	}
	return c
}

// statText is the part of an entry that must match the file's stat data.
func statText(st fileStat) string {
	return string(appendStatText(make([]byte, 0, 96), st))
}

// appendStatText appends statText(st) to b: a lookup compares it in a
// buffer on the stack, not in a string made for each of a compile's
// hundreds of inputs.
func appendStatText(b []byte, st fileStat) []byte {
	b = strconv.AppendInt(b, st.size, 10)
	for _, n := range []int64{st.mtime, st.ctime} {
		b = strconv.AppendInt(append(b, ' '), n, 10)
	}
	for _, n := range []uint64{st.dev, st.ino} {
		b = strconv.AppendUint(append(b, ' '), n, 10)
	}
	return b
}

// lookup returns the remembered digest of path, if its stat still matches.
func (c *digestCache) lookup(path string) (digest.Digest, bool) {
	if _, ok := c.entries[path]; !ok {
		return digest.Digest{}, false
	}
	return c.lookupStat(path, statOf(path))
}

// lookupStat returns the remembered digest of path if st, stat data taken
// before the caller reads the file, matches what was remembered.
func (c *digestCache) lookupStat(path string, st fileStat) (digest.Digest, bool) {
	line, ok := c.entries[path]
	if !ok || !st.exists {
		return digest.Digest{}, false
	}
	j := strings.LastIndexByte(line, ' ')
	if j < 0 || line[j+1:] != lineSum(path, line[:j]) {
		return digest.Digest{}, false
	}
	rest := line[:j]
	i := strings.LastIndexByte(rest, ' ')
	var buf [96]byte
	if i < 0 || rest[:i] != string(appendStatText(buf[:0], st)) {
		return digest.Digest{}, false
	}
	d, err := digest.Parse(rest[i+1:])
	return d, err == nil
}

// lookupStamped returns the remembered digest of path if its stamp, taken
// before the key, matches; a file stamped in its racy window is hashed.
func (c *digestCache) lookupStamped(path string, stamps inputStamps) (digest.Digest, bool) {
	st, ok := stamps[path]
	if !ok || st.racy {
		return digest.Digest{}, false
	}
	return c.lookupStat(path, st.stat)
}

// compute digests path and returns the line that remembers it, or "" when
// it changed too recently to be remembered. Safe to call concurrently.
func (c *digestCache) compute(path string) (digest.Digest, string, error) {
	// Stat before reading: a write during the hashing changes the ctime,
	// so the line, if wrong, can never match again.
	st := statOf(path)
	d, err := c.fn.FromFile(path)
	if err != nil {
		return digest.Digest{}, "", err
	}
	// The ctime, not the mtime, says how recent a change is: an unpacked
	// tarball's files get old mtimes the moment they are written.
	if !st.exists || time.Since(time.Unix(0, st.ctime)) < racyWindow {
		return d, "", nil
	}
	body := statText(st) + " " + d.String()
	return d, path + "\t" + body + " " + lineSum(path, body), nil
}

// learn keeps the lines compute returned, for save.
func (c *digestCache) learn(lines []string) {
	for _, line := range lines {
		if line != "" {
			c.added = append(c.added, line)
		}
	}
}

// save appends what this process learnt, or compacts the file when it has
// grown too large: the latest line per path, or only the new lines when
// even those are too many.
func (c *digestCache) save() {
	if c.path == "" || len(c.added) == 0 {
		return
	}
	lines := strings.Join(c.added, "\n") + "\n"
	if st, err := os.Stat(c.path); err == nil && st.Size()+int64(len(lines)) > maxCacheBytes {
		writeFileAtomic(c.path, []byte(c.compacted(lines)))
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

func (c *digestCache) compacted(added string) string {
	var b strings.Builder
	for path, rest := range c.entries {
		if b.Len()+len(added) > maxCacheBytes/2 {
			return added
		}
		b.WriteString(path + "\t" + rest + "\n")
	}
	return b.String() + added
}

// writeFileAtomic writes a state file with replaceFile, creating its
// directory. Failures only cost a cache entry.
func writeFileAtomic(path string, data []byte) {
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		replaceFile(path, data)
	}
}

// readText reads the file at path into a string without a second copy:
// the caches' files are read by every compile, and each copy of their
// hundreds of kilobytes is pages the process must fault in.
func readText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	if st, err := f.Stat(); err == nil {
		b.Grow(int(st.Size()) + 1) // +1: ReadFrom stops at the first short read
	}
	if _, err := io.Copy(&b, f); err != nil {
		return "", err
	}
	return b.String(), nil
}
