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
// includerefs.go), under keys of their own, in a text form that decodes
// faster than JSON: a kernel-like compile looks up 800 files' include
// directives.
type directiveCache struct {
	path    string
	entries map[string]string // key -> the entry, as saved
	added   map[string]string
}

func loadDirectiveCache(stateDir string) *directiveCache {
	c := &directiveCache{added: map[string]string{}}
	if stateDir == "" {
		c.entries = map[string]string{}
		return c
	}
	c.path = filepath.Join(stateDir, "directives")
	data, _ := os.ReadFile(c.path)
	text := string(data)
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

// emptyDirectives is the entry of a file that probes and reads nothing:
// most files, read back without decoding.
const emptyDirectives = "{}"

// directives returns what the file at path probes and reads. sum is its
// digest in fn, taken a moment ago: what is scanned must be what was keyed.
func (c *directiveCache) directives(path string, fn digest.Function, sum digest.Digest) (depscan.Directives, error) {
	key := fn.Name() + ":" + sum.String()
	scan := func(data []byte) string {
		js, _ := json.Marshal(depscan.ScanDirectives(data))
		if empty, _ := json.Marshal(depscan.Directives{}); string(js) == string(empty) {
			return emptyDirectives
		}
		return string(js)
	}
	var d depscan.Directives
	js, err := c.entry(key, path, fn, sum, scan)
	if err != nil || js == emptyDirectives || json.Unmarshal([]byte(js), &d) == nil {
		return d, err
	}
	delete(c.entries, key) // unreadable: scan again
	js, err = c.entry(key, path, fn, sum, scan)
	if err == nil {
		err = json.Unmarshal([]byte(js), &d)
	}
	return d, err
}

// entry returns key's entry, or, when there is none, computes it from the
// content of the file at path (which must still have digest sum in fn)
// and keeps it. An entry holds no tab or newline.
func (c *directiveCache) entry(key, path string, fn digest.Function, sum digest.Digest, compute func([]byte) string) (string, error) {
	if v, ok := c.added[key]; ok {
		return v, nil
	}
	if v, ok := c.entries[key]; ok {
		return v, nil
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
		fmt.Fprintf(&b, "%s\t%s\n", key, v)
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
