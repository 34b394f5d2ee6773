// Package lookups asks the compiler what files its preprocessor looked
// for. rex reads the sources' text for the lookups that -M does not list
// (a __has_include, a file read once); a lookup spelt where no reading of
// the text can see it (a __has_include pasted from a macro's parameters)
// would go unkeyed. A small library preloaded into the dependency scan's
// compiler (shim/shim.c) writes down every open and stat its preprocessor makes,
// and the wrapper holds that account against what the key covers.
//
// The library is built once per toolchain, by the toolchain's own driver,
// into rex's state directory, and tried on an empty source before it is
// used. Where it cannot be built or loaded (a toolchain that cannot link a
// shared library, clang's preprocessor running inside its driver), a scan
// is not observed and rex relies on its reading of the text alone.
package lookups

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/zeebo/blake3"

	"github.com/rexbuild/rex/atomicfile"
)

//go:embed shim/shim.c
var shimSource []byte

// fdVar names the descriptor the library writes its records to.
const fdVar = "REX_LOOKUPS_FD"

// Log is one compiler's account of its preprocessor's lookups, each path
// as the compiler spelt it (relative to its directory, or absolute).
type Log struct {
	// Found are the files it opened or statted for reading and found;
	// directories are left out (their files are what counts).
	Found []string
	// Missing are the paths it looked for and did not find.
	Missing []string
	// Dirs are the directories it met where it looked: an include
	// directory, or one named like the header it looked for, which it
	// searched on past. What each is counts, as a file's absence does.
	Dirs []string
	// Placed are those of Missing looked for before the compiler opened
	// the source, as every run of it does: where clang's driver places the
	// toolchain (a --sysroot's directories, GCC installations), the
	// include directories cc1 found absent.
	Placed []string
	// Unresolved counts lookups relative to a directory the library
	// could not name.
	Unresolved int
	// Observed says the library wrote the log (in clang's driver, from the
	// source's opening on): without it the other fields say nothing.
	Observed bool
}

// Merge adds o's lookups to l's.
func (l *Log) Merge(o Log) {
	l.Found = append(l.Found, o.Found...)
	l.Missing = append(l.Missing, o.Missing...)
	l.Dirs = append(l.Dirs, o.Dirs...)
	l.Placed = append(l.Placed, o.Placed...)
	l.Unresolved += o.Unresolved
	l.Observed = l.Observed || o.Observed
}

// Parse reads the library's records (see shim/shim.c). source is the
// clean absolute path of the compile's source, and dir the compiler's
// directory. The records of clang's driver, which preprocesses in its own
// process, count from its opening of the source on; before it, only the
// places it looked for in vain count (a --sysroot's directories, which it
// adds to the search list where they exist). A file the compiler writes
// is an output, also where it looked at it first.
func Parse(b []byte, dir, source string) (Log, error) {
	var l Log
	driverOpened, compilerOpened := false, false
	written := map[string]bool{}
	for len(b) > 0 {
		end := bytes.IndexByte(b, 0)
		if end < 4 || b[0] != 'c' && b[0] != 'd' {
			return Log{}, fmt.Errorf("lookups: malformed record %q", b[:min(len(b), 40)])
		}
		role, kind, found, writes, path := b[0], b[1], b[2] == '+', b[3] == 'w', string(b[4:end])
		b = b[end+1:]
		if role == 'd' && !driverOpened {
			if kind == 'o' && found && !writes && abs(dir, path) == source {
				driverOpened = true
			} else {
				if !found && !writes && kind != '?' {
					l.Missing = append(l.Missing, path)
					l.Placed = append(l.Placed, path)
				}
				continue
			}
		}
		l.Observed = true
		opensSource := kind == 'o' && found && !writes && abs(dir, path) == source
		compilerOpened = compilerOpened || role == 'c' && opensSource
		switch {
		case kind == '?':
			l.Unresolved++
		case writes:
			written[abs(dir, path)] = true
		case !found:
			l.Missing = append(l.Missing, path)
			if role == 'c' && !compilerOpened {
				l.Placed = append(l.Placed, path)
			}
		case kind == 'd' || kind == 'a' && isDir(abs(dir, path)):
			l.Dirs = append(l.Dirs, path)
		default:
			l.Found = append(l.Found, path)
		}
	}
	if !l.Observed {
		return Log{}, nil
	}
	l.Without(dir, nil, written)
	return l, nil
}

// Without drops from l the paths, as the compiler in dir may have spelt
// them, and those of set: the files a compile writes, which it may look
// at first.
func (l *Log) Without(dir string, paths []string, set map[string]bool) {
	if len(paths)+len(set) == 0 {
		return
	}
	// Only a path of the same base name can be one of them: most are
	// not made absolute.
	bases := map[string]bool{}
	for _, p := range paths {
		bases[filepath.Base(p)] = true
	}
	for p := range set {
		bases[filepath.Base(p)] = true
	}
	drop := func(p string) bool {
		if !bases[p[strings.LastIndexByte(p, '/')+1:]] {
			return false
		}
		a := abs(dir, p)
		return set[a] || slices.ContainsFunc(paths, func(q string) bool { return abs(dir, q) == a })
	}
	l.Found = slices.DeleteFunc(l.Found, drop)
	l.Missing = slices.DeleteFunc(l.Missing, drop)
}

// abs is path, as the compiler in dir named it, absolute and clean.
func abs(dir, path string) string {
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return filepath.Clean(path)
}

func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}

// Library is a built copy of the library, ready to preload.
type Library struct {
	path  string
	image []byte // its content, read once
}

// failureKept is how long a failure to build or load the library stands
// before the next compile tries again.
const failureKept = time.Hour

// Prepare returns the library for the toolchain whose driver is given,
// building and trying it on first use, or nil where it cannot serve (see
// the package comment). identity names the toolchain; env is the
// compile's. A failure stands for a while, so that it costs one attempt per
// toolchain; processes that start together build the library once.
func Prepare(ctx context.Context, stateDir, driver, identity string, env []string) *Library {
	if runtime.GOOS != "linux" || stateDir == "" {
		// The library reads /proc/self/cmdline.
		return nil
	}
	h := blake3.New()
	fmt.Fprintf(h, "%s\x00%s\x00", shimSource, identity)
	base := filepath.Join(stateDir, "lookups", hex.EncodeToString(h.Sum(nil)[:12]))
	if lib := load(base + ".so"); lib != nil {
		return lib
	}
	if failed(base) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil
	}
	lock, err := os.OpenFile(base+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return nil
	}
	// Another process may have built it, or failed to, while this one
	// waited.
	if lib := load(base + ".so"); lib != nil || failed(base) {
		return lib
	}
	if err := build(ctx, driver, base+".so", buildEnv(env)); err != nil {
		if ctx.Err() == nil {
			atomicfile.Write(base+".failed", []byte(err.Error()+"\n"), 0o644)
		}
		return nil
	}
	os.Remove(base + ".failed")
	return load(base + ".so")
}

// load returns the library built at path, or nil. Code another user could
// have written would run in the compiler: the file must be this user's,
// and no one else's to write.
func load(path string) *Library {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !ownFile(st) {
		return nil
	}
	image, err := io.ReadAll(f)
	if err != nil {
		return nil
	}
	return &Library{path: path, image: image}
}

// failed says whether a failure to build the library at base stands.
func failed(base string) bool {
	st, err := os.Stat(base + ".failed")
	return err == nil && time.Since(st.ModTime()) < failureKept
}

// ownFile says whether st is a file of this user that no one else may
// write.
func ownFile(st os.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid() && st.Mode().Perm()&0o022 == 0
}

// buildEnv keeps of env what the driver needs to find and run its
// programs: the compile's other variables (CPATH, DEPENDENCIES_OUTPUT, a
// preload of its own) are not the library's.
func buildEnv(env []string) []string {
	out := []string{"LC_ALL=C", "PATH=" + standardPath}
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "PATH", "TMPDIR", "GCC_EXEC_PREFIX", "COMPILER_PATH", "LD_LIBRARY_PATH":
			out = append(out, kv) // a later PATH replaces the standard one
		}
	}
	return out
}

// standardPath is where the driver finds the linker when env has no PATH.
const standardPath = "/usr/local/bin:/usr/bin:/bin"

// build compiles the library into dst and tries it.
func build(ctx context.Context, driver, dst string, env []string) error {
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src, so := filepath.Join(tmp, "shim.c"), filepath.Join(tmp, "shim.so")
	if err := os.WriteFile(src, shimSource, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, driver, "-O2", "-shared", "-fPIC", "-o", so, src, "-ldl")
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the lookup library: %v: %s", err, out)
	}
	// The umask may leave it group-writable, which load refuses.
	if err := os.Chmod(so, 0o755); err != nil {
		return err
	}
	if err := try(ctx, driver, so, env); err != nil {
		return err
	}
	return os.Rename(so, dst)
}

// try preprocesses an empty source with the library preloaded: the
// preprocessor must have written down its opening of the source, and the
// loader nothing on stderr (a library of another machine's kind).
func try(ctx context.Context, driver, so string, env []string) error {
	cmd := exec.CommandContext(ctx, driver, "-E", "-x", "c", "/dev/null")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	lib := load(so)
	if lib == nil {
		return errors.New("the lookup library cannot be read back")
	}
	finish, err := lib.Attach(cmd, "/dev/null")
	if err != nil {
		return err
	}
	runErr := cmd.Run()
	log, err := finish()
	switch {
	case runErr != nil:
		return fmt.Errorf("trying the lookup library: %v: %s", runErr, stderr.Bytes())
	case stderr.Len() > 0:
		return fmt.Errorf("trying the lookup library: %s", stderr.Bytes())
	case err != nil:
		return err
	case !log.Observed:
		return errors.New("the lookup library wrote nothing: the preprocessor runs inside the driver")
	}
	for _, f := range log.Found {
		if f == "/dev/null" {
			return nil
		}
	}
	return errors.New("the lookup library did not see the source opened")
}

// Attach preloads the library into cmd, whose Env must be set, and returns
// the function that reads the log once cmd has run. source is the
// compile's source as cmd names it. The library is handed over in memory,
// by descriptor: no path of the state directory (spaces, a colon, a
// noexec mount) stands in the loader's way.
func (lib *Library) Attach(cmd *exec.Cmd, source string) (finish func() (Log, error), err error) {
	h, err := lib.Hand(3 + len(cmd.ExtraFiles))
	if err != nil {
		return nil, err
	}
	cmd.ExtraFiles = append(cmd.ExtraFiles, h.Files...)
	cmd.Env = append(cmd.Env[:len(cmd.Env):len(cmd.Env)], h.Env...)
	return func() (Log, error) {
		b, err := h.Records()
		if err != nil || len(b) == 0 {
			return Log{}, err
		}
		dir := cmd.Dir
		if dir == "" {
			dir, _ = os.Getwd()
		}
		return Parse(b, dir, abs(dir, source))
	}, nil
}

// Handover is the library handed to a process started elsewhere (a
// sandbox's spawner): the files it inherits, in order from the descriptor
// given to Hand, and the variables that name them.
type Handover struct {
	Files []*os.File
	Env   []string
	log   *os.File
}

// Hand prepares the library for a process that inherits Files from
// descriptor first on.
func (lib *Library) Hand(first int) (*Handover, error) {
	f, err := logFile()
	if err != nil {
		return nil, err
	}
	image, err := imageFile(lib.image)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Handover{Files: []*os.File{f, image}, log: f,
		Env: []string{fmt.Sprintf("LD_PRELOAD=/proc/self/fd/%d", first+1), fmt.Sprintf("%s=%d", fdVar, first)}}, nil
}

// Records closes the handover and returns what the library wrote.
func (h *Handover) Records() ([]byte, error) {
	for _, f := range h.Files[1:] {
		f.Close()
	}
	defer h.log.Close()
	if _, err := h.log.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(h.log)
}
