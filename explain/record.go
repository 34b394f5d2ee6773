// Package explain keeps a small record per output under the client state
// directory (how its last compile ran, and the last few keys it was
// compiled under) and compares keys, so that `rex explain OUTPUT` can say
// why a compile missed: which input, argument, environment variable,
// compiler fact or platform property differs from the closest earlier key.
package explain

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/trim"
)

// Run is how the last compile of an output ran.
type Run struct {
	Output  string    `json:"output"`
	Time    time.Time `json:"time"`
	Outcome string    `json:"outcome"`
	Reason  string    `json:"reason,omitempty"`
	// Action is the action digest of that compile, "" when it planned none.
	Action string `json:"action,omitempty"`
	WallMs int64  `json:"wall_ms"`
	// Seen says the output was compiled under this key before.
	Seen bool `json:"seen_before,omitempty"`
}

// keep is how many distinct keys a record holds per output: enough to find
// the one a miss is closest to (the last edit, the configuration before a
// switch), small enough to rewrite when a new key comes.
const keep = 4

// maxRecordBytes bounds the records of all outputs: a kernel object's keys
// take tens of kilobytes, and every build directory brings new outputs.
// The records written longest ago go first (package trim), checked on one
// new key in trimEvery.
const (
	maxRecordBytes = 256 << 20
	trimEvery      = 64
)

// Store holds the records under one state directory.
type Store struct{ dir string }

// NewStore names the store under the client state directory.
func NewStore(stateDir string) Store { return Store{filepath.Join(stateDir, "records")} }

// name is where the records of output live: its absolute path, hashed.
func (s Store) name(output, ext string) string {
	return filepath.Join(s.dir, digest.SHA256.FromBytes([]byte(output)).Hash[:32]+ext)
}

// Save records run, and key when it is one the output was not last
// compiled under, and says in a few words why a compile under key would
// miss (see MissReason). A compile under its last key (every hit of an
// unchanged file) reads and writes only the small run file: hits stay
// cheap.
func (s Store) Save(run Run, key *Key) (missReason string, err error) {
	var seen bool
	if key != nil {
		if missReason, seen, err = s.SaveKey(run.Output, *key); err != nil {
			return missReason, err
		}
	}
	run.Seen = seen
	return missReason, s.SaveRun(run)
}

// SaveKey records key for output when the output was not last compiled
// under it, and says why a compile under key would miss and whether the
// output was compiled under it before. It is Save's work on the key, which
// a compile can do while it waits for its result (see Pending).
func (s Store) SaveKey(output string, key Key) (missReason string, seen bool, err error) {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return "", false, err
	}
	if last, ok := s.Last(output); ok && last.Action == key.Action {
		return resultGone, true, nil
	}
	keys := s.Keys(output)
	missReason = MissReason(keys, key)
	if len(keys) == 0 || keys[0].Action != key.Action {
		err = writeKeys(s.name(output, ".keys"), prepend(keys, key))
		trim.Sometimes(s.dir, maxRecordBytes, trimEvery)
	}
	return missReason, missReason == resultGone, err
}

// SaveRun records run, the output's last compile.
func (s Store) SaveRun(run Run) error {
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	return writeRun(s.name(run.Output, ".run"), run)
}

// Pending is a SaveKey running beside the compile it is for.
type Pending struct {
	Key  *Key
	done chan struct{}
	miss string
	seen bool
	err  error
}

// SaveKeyAsync starts SaveKey(output, *key).
func (s Store) SaveKeyAsync(output string, key *Key) *Pending {
	p := &Pending{Key: key, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		p.miss, p.seen, p.err = s.SaveKey(output, *key)
	}()
	return p
}

// Wait returns what SaveKey returned.
func (p *Pending) Wait() (missReason string, seen bool, err error) {
	<-p.done
	return p.miss, p.seen, p.err
}

const resultGone = "same key as before (result gone from the cache)"

// MissReason is why a compile under k misses, as a stats category: the
// kind of the first difference from the output's closest earlier key.
func MissReason(earlier []Key, k Key) string {
	for _, e := range earlier {
		if e.Action == k.Action {
			return resultGone
		}
	}
	_, diffs, ok := Closest(k, earlier)
	switch {
	case !ok:
		return "new output"
	case len(diffs) == 0:
		return "unrecorded key fact changed"
	}
	return diffs[0].Kind + " changed"
}

// prepend puts k first, dropping an older copy of it and the oldest keys
// past keep.
func prepend(keys []Key, k Key) []Key {
	out := []Key{k}
	for _, old := range keys {
		if old.Action != k.Action && len(out) < keep {
			out = append(out, old)
		}
	}
	return out
}

// Last is the last run recorded for output.
func (s Store) Last(output string) (Run, bool) {
	var r Run
	return r, readJSON(s.name(output, ".run"), &r) == nil
}

// Keys are the keys output was compiled under, latest first.
func (s Store) Keys(output string) []Key { return readKeys(s.name(output, ".keys")) }

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// writeRun writes the run record in place. It is rewritten on every
// compile, hits included, where a new file and a rename cost a local hit a
// tenth of its time. A reader that meets it half written (two compiles of
// one output at once) gets a JSON error, which reads as no record.
func writeRun(path string, run Run) error {
	b, err := json.Marshal(run)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Truncate(int64(len(b)))
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeFile replaces path atomically: a reader sees the old record or the
// new one; a record lost in a crash costs one explanation.
func writeFile(path string, b []byte) error { return atomicfile.Write(path, b, 0o600) }
