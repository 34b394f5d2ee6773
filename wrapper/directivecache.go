package wrapper

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/depscan"
	"github.com/rexbuild/rex/digest"
)

// directiveCache remembers what files probe, by content digest: a TU with
// <iostream> reads 2 MB of system headers, a kernel TU 6 MB of project
// headers, and they change far less often than they are compiled. Entries
// are decoded when looked up: a compile uses a few hundred of the file's
// thousands.
//
// It also keeps what the once-copies check needs of a file (see
// includerefs.go): its once flags beside its directives, and its include
// directives, when asked for, under a key of their own, in a text form that
// decodes faster than JSON (a kernel-like compile looks up 800 files').
type directiveCache struct {
	path    string
	entries map[string]string // key -> the entry, a tab and its sum (see lineSum)
	added   map[string]string
}

func loadDirectiveCache(stateDir string) *directiveCache {
	c := &directiveCache{added: map[string]string{}}
	if stateDir == "" {
		c.entries = map[string]string{}
		return c
	}
	c.path = filepath.Join(stateDir, "directives")
	text, _ := readText(c.path)
	c.entries = make(map[string]string, strings.Count(text, "\n"))
	for text != "" {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		if key, js, ok := strings.Cut(line, "\t"); ok {
			c.entries[key] = js
		}
	}
	return c
}

// emptyDirectives is the JSON of a file that probes and reads nothing:
// most files, read back without decoding.
const emptyDirectives = "{}"

// A file's entry is its once flags (see includerefs.go), a '|', and the
// JSON of its Directives, under a key that names the reading: a change to
// what ScanDirectives or onceFlagsIn reports changes it (file16's once
// flag missed a #pragma once that backslash-newlines split; file17 did not
// say where a directive goes on past a comment's line end; file18 missed an
// .incbin spelt by adjacent string literals; file19 read a lone CR as no
// line end, a "??/" always as a trigraph, __DATE__ and __TIME__ only in
// code, and a header named "<built-in>" as nothing; file20 ended a
// character literal after 11 bytes, and missed a comment over lines in a
// directive after a "//" in a literal or a comment before the '#'; file21
// did not say where a ## pastes a word rex reads).
const fileEntryPrefix = "file22:"

// fileEntry returns the entry of the file at path. sum is its digest in
// fn, taken a moment ago: what is scanned must be what was keyed.
func (c *directiveCache) fileEntry(path string, fn digest.Function, sum digest.Digest) (flags, js string, err error) {
	key := fileEntryPrefix + fn.Name() + ":" + sum.String()
	scan := func(data []byte) string {
		js, _ := json.Marshal(depscan.ScanDirectives(data))
		if empty, _ := json.Marshal(depscan.Directives{}); string(js) == string(empty) {
			js = []byte(emptyDirectives)
		}
		return onceFlagsIn(data).encode() + "|" + string(js)
	}
	v, err := c.entry(key, path, fn, sum, scan)
	if err != nil {
		return "", "", err
	}
	flags, js, ok := strings.Cut(v, "|")
	if !ok || js != emptyDirectives && !json.Valid([]byte(js)) {
		delete(c.entries, key) // unreadable: scan again
		v, err = c.entry(key, path, fn, sum, scan)
		flags, js, _ = strings.Cut(v, "|")
	}
	return flags, js, err
}

// directives returns what the file at path probes and reads.
func (c *directiveCache) directives(path string, fn digest.Function, sum digest.Digest) (depscan.Directives, error) {
	var d depscan.Directives
	_, js, err := c.fileEntry(path, fn, sum)
	if err != nil || js == emptyDirectives {
		return d, err
	}
	return d, json.Unmarshal([]byte(js), &d)
}

// onceFlags returns whether the file at path may be read once.
func (c *directiveCache) onceFlags(path string, fn digest.Function, sum digest.Digest) (onceFlags, error) {
	flags, _, err := c.fileEntry(path, fn, sum)
	return decodeOnceFlags(flags), err
}

// entry returns key's entry, or, when there is none, computes it from the
// content of the file at path (which must still have digest sum in fn)
// and keeps it. An entry holds no tab or newline.
func (c *directiveCache) entry(key, path string, fn digest.Function, sum digest.Digest, compute func([]byte) string) (string, error) {
	if v, ok := c.added[key]; ok {
		return v, nil
	}
	if line, ok := c.entries[key]; ok {
		// The line's own sum (see lineSum) vouches for it: a byte the disk
		// changed could hide a probe. A line without one is another
		// version's.
		if i := strings.LastIndexByte(line, '\t'); i >= 0 && line[i+1:] == lineSum(key, line[:i]) {
			return line[:i], nil
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("input %s: %w", path, err)
	}
	if fn.FromBytes(data) != sum {
		return "", localf("%s changed during the compile's planning", path)
	}
	v := compute(data)
	c.added[key] = v
	return v, nil
}

// save appends what this process learnt; failing costs only a rescan.
func (c *directiveCache) save() {
	if c.path == "" || len(c.added) == 0 {
		return
	}
	var b strings.Builder
	for key, v := range c.added {
		fmt.Fprintf(&b, "%s\t%s\t%s\n", key, v, lineSum(key, v))
	}
	if st, err := os.Stat(c.path); err == nil && st.Size() > maxCacheBytes {
		os.Remove(c.path)
	}
	os.MkdirAll(filepath.Dir(c.path), 0o755)
	if f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
		f.WriteString(b.String())
		f.Close()
	}
}
