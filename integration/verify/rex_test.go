package verify

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
	"github.com/rexbuild/rex/stats"
)

// cacheWriteFlags are the rex-server flags that let a client write the
// action cache (UpdateActionResult), which planting a wrong result needs.
var cacheWriteFlags = []string{"--allow-cache-writes"}

// dropped are the variables that would change how a build or rex behaves.
var dropped = map[string]bool{"PATH": true, "CC": true, "CFLAGS": true, "CPPFLAGS": true, "LDFLAGS": true,
	"MAKEFLAGS": true, "MFLAGS": true, "MAKELEVEL": true, "LANG": true, "LC_ALL": true}

// rexEnv runs the built rex against one server with its own REX_DIR.
type rexEnv struct {
	t   *testing.T
	bin string
	env []string
	log string // REX_LOG_FILE
}

func newRex(t *testing.T, server, root string) *rexEnv {
	t.Helper()
	bin := testenv.Bin(t, "rex")
	state := t.TempDir()
	r := &rexEnv{t: t, bin: bin, log: filepath.Join(state, "rex.log")}
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); !strings.HasPrefix(name, "REX_") && !dropped[name] {
			r.env = append(r.env, kv)
		}
	}
	r.env = append(r.env, "PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
		"LC_ALL=C", "REX_SERVER="+server, "REX_DIR="+filepath.Join(state, "dir"))
	return r
}

// run runs rex ARGS in dir with extra environment, and returns its stdout
// and stderr, failing the test when it exits non-zero.
func (r *rexEnv) run(dir string, extra []string, args ...string) (stdout, stderr string) {
	r.t.Helper()
	cmd := exec.Command(r.bin, args...)
	cmd.Dir, cmd.Env = dir, append(append([]string(nil), r.env...), extra...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("rex %v: %v\n%s%s", args, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String()
}

func (r *rexEnv) stats() stats.Counters {
	r.t.Helper()
	out, _ := r.run("/", nil, "stats", "--json")
	var c stats.Counters
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		r.t.Fatalf("rex stats --json printed %q: %v", out, err)
	}
	return c
}

func (r *rexEnv) zeroStats() { r.run("/", nil, "stats", "--zero") }

func (r *rexEnv) logText() string {
	b, _ := os.ReadFile(r.log)
	return string(b)
}
