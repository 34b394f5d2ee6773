package realbuild

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// project describes how to configure and build one corpus project.
type project struct {
	name      string   // short name for logs and the summary line
	pkg       string   // Debian source package (scripts/corpus/fetch)
	generator string   // CMake generator; "" means ./configure && make in the source tree
	cmakeArgs []string // extra CMake arguments
	targets   []string // build targets; nil builds the default target
	header    string   // header to edit, relative to the source root
	// prefixMap passes -ffile-prefix-map=ROOT=. in CFLAGS/CXXFLAGS (CMake
	// projects only), for projects whose objects would otherwise embed the
	// checkout's absolute path; the project spec says why it needs it.
	prefixMap bool
	// configOutputs are files written by ./configure that must not depend on
	// whether the probes went through rex (compared after replacing "rex ").
	configOutputs []string
	// includers, when set, names the objects that include header, for
	// builds that keep no dependency records of their own.
	includers []string
	// hermetic builds through a rex-worker run with --sandbox hermetic,
	// rex sending the toolchain (REX_HERMETIC=1).
	hermetic bool
	// clang builds with clang and clang++ (CMake projects only) instead of
	// gcc and g++; the test skips where clang++ is not installed.
	clang bool
	// allRemote wants every compile of the cold build run remotely: none
	// kept local for a reason of rex's own.
	allRemote bool
}

// rexEnv configures a tree to build through rex.
type rexEnv struct {
	bin    string // the rex binary
	server string // grpc://127.0.0.1:PORT
	dir    string // REX_DIR
	// hermetic builds with REX_HERMETIC=1 (see hermetic_test.go).
	hermetic bool
}

// tree is one checkout of a project, built either plainly or through rex.
type tree struct {
	p    *project
	root string // source root (rex finds its input root itself)
	rex  *rexEnv
	env  []string
	logs string // directory holding one log file per step
}

// newTree copies src into root (replacing whatever is there) and prepares
// the environment for a plain build (r == nil) or a build through rex.
func newTree(t *testing.T, p *project, src, root string, r *rexEnv) *tree {
	t.Helper()
	if err := os.RemoveAll(root); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(root), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-a", src, root).CombinedOutput(); err != nil {
		t.Fatalf("copy %s to %s: %v\n%s", src, root, err, out)
	}
	tr := &tree{p: p, root: root, rex: r, logs: t.TempDir()}
	tr.env = cleanEnv()
	if r != nil {
		tr.env = append(tr.env,
			"PATH="+filepath.Dir(r.bin)+string(os.PathListSeparator)+os.Getenv("PATH"),
			"REX_SERVER="+r.server, "REX_DIR="+r.dir)
		if r.hermetic {
			tr.env = append(tr.env, "REX_HERMETIC=1")
		}
	} else {
		tr.env = append(tr.env, "PATH="+os.Getenv("PATH"))
	}
	return tr
}

// cleanEnv is the test's environment without anything that would change
// how the projects build or how rex behaves.
func cleanEnv() []string {
	drop := []string{"PATH", "CC", "CXX", "CFLAGS", "CXXFLAGS", "CPPFLAGS", "LDFLAGS",
		"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "GNUMAKEFLAGS", "LANG", "LC_ALL"}
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		keep := !strings.HasPrefix(name, "REX_") && !strings.HasPrefix(name, "CCACHE") &&
			!strings.HasPrefix(name, "CMAKE_")
		for _, d := range drop {
			keep = keep && name != d
		}
		if keep {
			env = append(env, kv)
		}
	}
	return append(env, "LC_ALL=C")
}

func (tr *tree) buildDir() string {
	if tr.p.generator == "" {
		return tr.root
	}
	return filepath.Join(tr.root, "build")
}

// compiler returns the C or C++ compiler command as a user would write it.
func (tr *tree) compiler(name string) string {
	if tr.rex != nil {
		return "rex " + name
	}
	return name
}

func (tr *tree) configure(t *testing.T) {
	t.Helper()
	if tr.p.generator == "" {
		env := []string{"CC=" + tr.compiler("gcc")}
		tr.run(t, "configure", tr.root, env, "./configure")
		return
	}
	cc, cxx := "gcc", "g++"
	if tr.p.clang {
		cc, cxx = "clang", "clang++"
	}
	args := []string{"-S", tr.root, "-B", tr.buildDir(), "-G", tr.p.generator,
		"-DCMAKE_C_COMPILER=" + cc, "-DCMAKE_CXX_COMPILER=" + cxx}
	if tr.rex != nil {
		args = append(args, "-DCMAKE_C_COMPILER_LAUNCHER=rex", "-DCMAKE_CXX_COMPILER_LAUNCHER=rex")
	}
	if tr.p.prefixMap {
		m := "-ffile-prefix-map=" + tr.root + "=."
		args = append(args, "-DCMAKE_C_FLAGS="+m, "-DCMAKE_CXX_FLAGS="+m)
	}
	tr.run(t, "cmake", tr.root, nil, "cmake", append(args, tr.p.cmakeArgs...)...)
}

// build runs the build with -j8 and returns its stderr.
func (tr *tree) build(t *testing.T, step string) string {
	t.Helper()
	tool := "make"
	if tr.p.generator == "Ninja" {
		tool = "ninja"
	}
	args := append([]string{"-C", tr.buildDir(), "-j8"}, tr.p.targets...)
	return tr.run(t, step, tr.root, nil, tool, args...)
}

func (tr *tree) clean(t *testing.T) {
	t.Helper()
	tool := "make"
	if tr.p.generator == "Ninja" {
		tool = "ninja"
	}
	tr.run(t, "clean", tr.root, nil, tool, "-C", tr.buildDir(), "clean")
}

// run runs one step, logging its output to a file, and fails the test with
// the end of that log when the step fails. It returns the step's stderr.
func (tr *tree) run(t *testing.T, step, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout(t))
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(append([]string(nil), tr.env...), env...)
	var all syncBuffer
	var stderr bytes.Buffer
	cmd.Stdout = &all
	cmd.Stderr = teeWriter{&all, &stderr}
	start := time.Now()
	err := cmd.Run()
	logPath := filepath.Join(tr.logs, step+".log")
	os.WriteFile(logPath, all.Bytes(), 0o644)
	if err != nil {
		t.Fatalf("%s: %s %s: %v (after %v)\n%s", step, name, strings.Join(args, " "), err,
			time.Since(start).Round(time.Millisecond), tail(all.String(), 60))
	}
	t.Logf("%s: %s took %v", tr.p.name, step, time.Since(start).Round(time.Millisecond))
	return stderr.String()
}

// stepTimeout leaves a minute of the test deadline for reporting.
func stepTimeout(t *testing.T) time.Duration {
	if d, ok := t.Deadline(); ok {
		if left := time.Until(d) - time.Minute; left > 0 {
			return left
		}
		return time.Second
	}
	return 30 * time.Minute
}

// stats are the outcome counters of `rex stats --json`. Hits counts the
// hits of both caches, LocalHits those of the local one.
type stats struct {
	Hits        int64 `json:"cache_hits"`
	LocalHits   int64 `json:"local_cache_hits"`
	Remote      int64 `json:"remote_executions"`
	Fallbacks   int64 `json:"local_fallbacks"`
	LocalRuns   int64 `json:"local_runs"`
	CacheMisses int64 `json:"cache_misses"`
}

func (s stats) String() string {
	return fmt.Sprintf("hits=%d (local %d) remote=%d fallbacks=%d local_runs=%d", s.Hits, s.LocalHits, s.Remote, s.Fallbacks, s.LocalRuns)
}

func (tr *tree) stats(t *testing.T) stats {
	t.Helper()
	out, err := tr.rexCmd("stats", "--json").Output()
	if err != nil {
		t.Fatalf("rex stats --json: %v", err)
	}
	var s stats
	if err := json.Unmarshal(out, &s); err != nil {
		t.Fatalf("rex stats --json printed %q: %v", out, err)
	}
	s.Hits += s.LocalHits
	return s
}

func (tr *tree) zeroStats(t *testing.T) {
	t.Helper()
	if out, err := tr.rexCmd("stats", "--zero").CombinedOutput(); err != nil {
		t.Fatalf("rex stats --zero: %v\n%s", err, out)
	}
}

func (tr *tree) rexCmd(args ...string) *exec.Cmd {
	cmd := exec.Command(tr.rex.bin, args...)
	cmd.Env, cmd.Dir = tr.env, tr.root
	return cmd
}

// fetch returns the unpacked source of a corpus package, fetching it once
// into the corpus cache.
func fetch(t *testing.T, pkg string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(testenv.RepoRoot(), "scripts", "corpus", "fetch"), "--tools", pkg)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/corpus/fetch %s: %v\n%s", pkg, err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Bytes() []byte  { return s.b.Bytes() }
func (s *syncBuffer) String() string { return s.b.String() }

type teeWriter struct {
	a, b interface{ Write([]byte) (int, error) }
}

func (w teeWriter) Write(p []byte) (int, error) {
	w.a.Write(p)
	return w.b.Write(p)
}

func tail(s string, lines int) string {
	l := strings.Split(s, "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
