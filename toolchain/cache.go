package toolchain

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/dirlist"
)

// Load returns the toolchain of the compiler argv0 names, run in cwd with
// the user's environment env. Probing costs several compiler runs and
// hashing the compiler's programs, so the answer is kept under stateDir
// (when set), keyed by the resolved path and PATH, and used again while
// every program it hashed keeps its stat data (size, mtime, ctime, inode):
// an upgrade or a reinstall probes again.
func Load(ctx context.Context, stateDir, argv0, cwd string, env []string) (*Toolchain, error) {
	path, err := Resolve(argv0, cwd, env)
	if err != nil {
		return nil, err
	}
	file := ""
	if stateDir != "" {
		key := path + "\x00" + envValue(env, "PATH")
		file = filepath.Join(stateDir, "toolchains", digest.SHA256.FromBytes([]byte(key)).Hash)
		if tc := loadCached(file, path); tc != nil {
			return tc, nil
		}
	}
	tc, err := probe(ctx, path, env)
	if err != nil {
		return nil, fmt.Errorf("toolchain: %w", err)
	}
	if file != "" {
		saveJSON(file, tc)
	}
	return tc, nil
}

func loadCached(file, path string) *Toolchain {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil
	}
	var tc Toolchain
	// An entry from before as_deps and libraries were probed is probed
	// again.
	if json.Unmarshal(data, &tc) != nil || tc.Path != path || len(tc.Programs) == 0 ||
		!bytes.Contains(data, []byte(`"as_deps"`)) || !bytes.Contains(data, []byte(`"libraries"`)) {
		return nil
	}
	// The driver's symlinks may have been repointed (update-alternatives)
	// without any program changing: the driver must still lead to one of
	// the programs hashed.
	if real, err := filepath.EvalSymlinks(path); err != nil || tc.Programs[real] == "" {
		return nil
	}
	for p, key := range tc.Programs {
		st, err := os.Stat(p)
		switch {
		case key == absent && err == nil, key != absent && (err != nil || statKey(st) != key):
			return nil
		}
	}
	return &tc
}

// saveJSON writes the entry atomically; failing costs only the next probe.
func saveJSON(file string, v any) {
	data, err := json.Marshal(v)
	if err != nil || os.MkdirAll(filepath.Dir(file), 0o755) != nil {
		return
	}
	atomicfile.Write(file, data, 0o600)
}

func statKey(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return fmt.Sprintf("%d %d", st.Size(), st.ModTime().UnixNano())
	}
	return fmt.Sprintf("%d %d %d %d", st.Size(), st.ModTime().UnixNano(),
		dirlist.FromSys(sys).Ctime, sys.Ino)
}
