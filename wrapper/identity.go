package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/rexbuild/rex/digest"
)

// compilerIdentity names the compiler binary that argv[0] runs: the digest
// of the resolved binary plus what it says of its version and target. Two
// compilers never share results. Computing it costs a process spawn, so it
// is cached under the state dir, keyed by the binary's path, size, mtime and
// inode: an upgrade changes the key.
func compilerIdentity(ctx context.Context, stateDir, path string) (string, error) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(real)
	if err != nil {
		return "", err
	}
	var ino uint64
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		ino = sys.Ino
	}
	key := fmt.Sprintf("%s\x00%d\x00%d\x00%d", real, st.Size(), st.ModTime().UnixNano(), ino)
	cacheFile := ""
	if stateDir != "" {
		cacheFile = filepath.Join(stateDir, "compilers", digest.SHA256.FromBytes([]byte(key)).Hash)
		if b, err := os.ReadFile(cacheFile); err == nil && len(b) > 0 {
			return string(b), nil
		}
	}
	id, err := probeCompiler(ctx, path, real)
	if err != nil {
		return "", err
	}
	if cacheFile != "" {
		writeFileAtomic(cacheFile, []byte(id))
	}
	return id, nil
}

func probeCompiler(ctx context.Context, path, real string) (string, error) {
	d, err := digest.SHA256.FromFile(real)
	if err != nil {
		return "", fmt.Errorf("compiler identity: %w", err)
	}
	cmd := exec.CommandContext(ctx, path, "--version")
	cmd.Env = []string{"LC_ALL=C", "PATH=/usr/local/bin:/usr/bin:/bin"}
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("compiler identity: %s --version: %w", path, err)
	}
	if i := bytes.IndexByte(out, '\n'); i >= 0 {
		out = out[:i]
	}
	return fmt.Sprintf("binary %s\nversion %s", d, out), nil
}

// lookPath resolves argv0 through the PATH of env, as the shell would.
func lookPath(argv0 string, env []string) (string, error) {
	if filepath.IsAbs(argv0) {
		return argv0, nil
	}
	pathVar := ""
	for _, kv := range env {
		if len(kv) > 5 && kv[:5] == "PATH=" {
			pathVar = kv[5:]
		}
	}
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, argv0)
		if st, err := os.Stat(p); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return filepath.Abs(p)
		}
	}
	return "", fmt.Errorf("compiler %q not found in PATH", argv0)
}

// writeFileAtomic writes a state file with replaceFile, creating its
// directory. Failures only cost a cache entry.
func writeFileAtomic(path string, data []byte) {
	if os.MkdirAll(filepath.Dir(path), 0o755) == nil {
		replaceFile(path, data)
	}
}
