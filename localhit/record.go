package localhit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/manifest"
)

// Replay is what serving a recorded action needs besides its result: the
// plan's outputs and the dependency file the scan wrote. A record's entry
// keeps it as JSON.
type Replay struct {
	Function    string   `json:"fn"`
	Outputs     []string `json:"outputs"`
	Object      string   `json:"object"`
	DepFile     string   `json:"dep_file,omitempty"`
	Dep         []byte   `json:"dep,omitempty"`
	PathOutputs []string `json:"path_outputs,omitempty"`
	Portable    bool     `json:"portable,omitempty"`
	LocalRoot   string   `json:"local_root,omitempty"`
}

// Recorded is the action a record leads to while its facts hold.
type Recorded struct {
	Replay
	Action digest.Digest
	// DepTemp is where the dependency file was written aside, as the
	// scan would have, until the compile's outcome is known; "" when the
	// compile has none.
	DepTemp string
}

// Lookup returns the action the record under key leads to when its facts
// hold, with the dependency file written aside, or nil.
func Lookup(cache *localcache.Store, key, dir string) *Recorded {
	data, ok := cache.Get(localcache.Manifests, key)
	if !ok {
		return nil
	}
	e, ok := manifest.Lookup(data)
	if !ok {
		return nil
	}
	rec := &Recorded{}
	d, err := digest.Parse(e.Action)
	if err != nil || json.Unmarshal(e.Replay, &rec.Replay) != nil {
		return nil
	}
	rec.Action = d
	if rec.DepFile != "" {
		rec.DepTemp = DepTempPath(dir, rec.DepFile)
		if atomicfile.Write(rec.DepTemp, rec.Dep, atomicfile.OutputMode(false)) != nil {
			rec.Discard()
			return nil
		}
	}
	return rec
}

// Discard removes the dependency file written aside, for a compile that
// the record does not serve.
func (r *Recorded) Discard() {
	if r != nil && r.DepTemp != "" {
		os.Remove(r.DepTemp)
	}
}

// DepTempPath is where the dependency file waits until the compile's
// outcome is known: beside it, so that a rename puts it in place. The name
// has no comma, which -Wp,-MD,FILE would split.
func DepTempPath(cwd, depFile string) string {
	p := depFile
	if !filepath.IsAbs(p) {
		p = filepath.Join(cwd, p)
	}
	// Its directory exists: the compile runs locally otherwise (UnwritableOutput).
	return filepath.Join(filepath.Dir(p), fmt.Sprintf(".rex-%d-%d.d", os.Getpid(), time.Now().UnixNano()))
}

// ResultKey names an action's result in the local cache. The cache keeps
// results as rex served them, with the local root in place, so a portable
// action's result is kept per local root.
func ResultKey(action digest.Digest, portable bool, localRoot string) string {
	if !portable {
		return action.Hash
	}
	return digest.SHA256.FromBytes([]byte(action.String() + "\x00" + localRoot)).Hash
}
