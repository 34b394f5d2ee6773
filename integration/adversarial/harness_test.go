package adversarial

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/integration/testenv"
)

// spec is one adversarial case. Paths and arguments may name {R} (the
// case's temp dir), {X} (a unique directory outside it, under /opt) and
// {PATH} (the host's PATH).
type spec struct {
	class, name string
	tool        string            // compiler that must be installed (default gcc)
	files       map[string]string // path under {R} (or {X}/...) → content; "@link:T" is a symlink
	dir         string            // working directory, relative to {R}
	cmd         []string          // the compile, as the user types it
	env         []string          // KEY=VALUE set for both runs
	umask       string            // run both compiles under this umask
	setup       func(k *kase)     // after files, before the first compare
	mutate      func(k *kase)     // what changes between the two compares
	// want checks the rex outcome where the case is about it; it returns
	// a problem, or "".
	want func(phase, outcome string) string
}

// kase is a spec being run.
type kase struct {
	spec
	t        *testing.T
	R, X     string
	roots    []string
	state    string // REX_DIR
	problems []string
	outcomes []string // per compare, what rex did
	lastLog  string   // what rex's last run said with REX_VERBOSE
}

func run(t *testing.T, s spec) {
	// Cases share nothing but the server: they run side by side, which
	// hides the wait for their files to age (see warm).
	t.Parallel()
	k := newKase(t, s)
	if *localOnly {
		time.Sleep(racyWindow)
	}
	k.compare("base")
	if *localOnly && compiledFirst.MatchString(k.lastLog) {
		tally.first()
	}
	if s.mutate != nil {
		k.warm()
		s.mutate(k)
		k.compare("mutated")
	}
	tally.record(s.class, s.name, k.outcomes, k.problems)
}

func newKase(t *testing.T, s spec) *kase {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
	tool := s.tool
	if tool == "" {
		tool = "gcc"
	}
	if _, err := exec.LookPath(tool); err != nil {
		t.Skipf("%s is not installed", tool)
	}
	k := &kase{spec: s, t: t, R: t.TempDir(), state: filepath.Join(t.TempDir(), "rex")}
	k.roots = []string{k.R}
	if strings.Contains(fmt.Sprint(s.files, s.cmd, s.env), "{X}") {
		x, err := os.MkdirTemp("/opt", "rex-adversarial-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(x) })
		k.X, k.roots = x, append(k.roots, x)
	}
	for name, content := range s.files {
		k.write(name, content)
	}
	if err := os.MkdirAll(filepath.Join(k.R, s.dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if s.setup != nil {
		s.setup(k)
	}
	return k
}

// warm lets the case's files age past the window in which rex distrusts
// their stat data, then compiles twice: the first records what direct mode
// needs, the second is served from that record where the case allows it.
// The mutation that follows must then invalidate a record, not a scan.
func (k *kase) warm() {
	k.t.Helper()
	time.Sleep(racyWindow)
	k.compare("warm")
	k.compare("direct")
	if strings.Contains(k.lastLog, "direct ") {
		tally.direct()
		k.outcomes[len(k.outcomes)-1] += " (direct mode)"
	}
}

// compiledFirst matches the phases of a compile that ran with no scan
// before it (see wrapper/depend.go).
var compiledFirst = regexp.MustCompile(`; toolchain [^,]*, compile `)

// racyWindow is a little more than rex's: files changed more recently than
// that are not trusted by their stat data, and direct mode does not record
// them.
const racyWindow = 2200 * time.Millisecond

func (k *kase) expand(s string) string {
	return strings.NewReplacer("{R}", k.R, "{X}", k.X, "{PATH}", os.Getenv("PATH")).Replace(s)
}

// path is the absolute path of a file named as in spec.files.
func (k *kase) path(name string) string {
	name = k.expand(name)
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(k.R, name)
}

// write creates a file (executable when it starts with #!) or a symlink.
// C sources get a trailing comment naming the case, so that no two cases
// share an action.
func (k *kase) write(name, content string) {
	k.t.Helper()
	p := k.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		k.t.Fatal(err)
	}
	if target, ok := strings.CutPrefix(content, "@link:"); ok {
		os.Remove(p)
		if err := os.Symlink(k.expand(target), p); err != nil {
			k.t.Fatal(err)
		}
		return
	}
	content = k.expand(content)
	if ext := filepath.Ext(p); ext == ".c" || ext == ".cc" {
		trailer := "\n// rex-adversarial " + k.class + "/" + k.name + "\n"
		if slices.ContainsFunc(k.cmd, func(a string) bool { return a == "-ansi" || a == "-std=c89" || a == "-std=c90" }) {
			// C90 has no // comments.
			trailer = "\n/* rex-adversarial " + strings.ReplaceAll(k.class+"/"+k.name, "*/", "* /") + " */\n"
		}
		content += trailer
	}
	mode := os.FileMode(0o644)
	if strings.HasPrefix(content, "#!") {
		mode = 0o755
	}
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		k.t.Fatal(err)
	}
}

// edit is a mutation that rewrites one file.
func edit(name, content string) func(*kase) {
	return func(k *kase) { k.write(name, content) }
}

// sh runs a setup or mutation step in {R} and fails the case if it fails.
func (k *kase) sh(script string) {
	k.t.Helper()
	cmd := exec.Command("sh", "-ec", k.expand(script))
	cmd.Dir, cmd.Env = k.R, k.environ(false)
	if out, err := cmd.CombinedOutput(); err != nil {
		k.t.Fatalf("%s: %v\n%s", script, err, out)
	}
}

type result struct {
	stdout, stderr []byte
	exit           int
}

// command is the compile as the user runs it, plainly or through rex.
func (k *kase) command(viaRex bool) *exec.Cmd {
	var argv []string
	if viaRex {
		argv = append(argv, testenv.Bin(k.t, "rex"))
	}
	for _, a := range k.cmd {
		argv = append(argv, k.expand(a))
	}
	if k.umask != "" {
		argv = append([]string{"sh", "-c", "umask " + k.umask + `; exec "$@"`, "sh"}, argv...)
	}
	env := k.environ(viaRex)
	// exec.Command would look the compiler up in the test's PATH, not the
	// case's: a case about PATH must run what its shell would.
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Path = lookPath(argv[0], env)
	cmd.Dir, cmd.Env = filepath.Join(k.R, k.dir), env
	return cmd
}

// lookPath finds name in env's PATH, as a shell with that environment would.
func lookPath(name string, env []string) string {
	if strings.Contains(name, "/") {
		return name
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p
		}
	}
	return name
}

// logFile is where rex says how it ran each compile of the case: in the
// -rexlog directory when one is given, else beside the case's state.
func (k *kase) logFile() string {
	if *logDir != "" {
		return filepath.Join(*logDir, strings.ReplaceAll(k.class+"_"+k.name, "/", "_")+".log")
	}
	return k.state + ".log"
}

func (k *kase) run(viaRex bool) result {
	k.t.Helper()
	if viaRex {
		defer func() {
			b, _ := os.ReadFile(k.logFile())
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			k.lastLog = lines[len(lines)-1]
		}()
	}
	cmd := k.command(viaRex)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		k.t.Fatalf("%v: %v", cmd.Args, err)
	}
	return result{out.Bytes(), errb.Bytes(), cmd.ProcessState.ExitCode()}
}

// hostVars are variables a CI machine may set that change what a compiler
// does; a case sets them only when it is about them.
var hostVars = []string{"CPATH", "C_INCLUDE_PATH", "CPLUS_INCLUDE_PATH", "GCC_COLORS", "GCC_EXEC_PREFIX",
	"COMPILER_PATH", "SOURCE_DATE_EPOCH", "DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES", "TMPDIR"}

// environ is a new user's environment: the host's minus rex's and the
// compiler's knobs, then REX_SERVER and REX_DIR, then the case's own.
func (k *kase) environ(viaRex bool) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, "REX_") && !contains(hostVars, name) {
			env = append(env, kv)
		}
	}
	addr := server.Addr
	if *localOnly {
		addr = ""
	}
	env = append(env, "REX_SERVER="+addr, "REX_DIR="+k.state)
	if viaRex {
		env = append(env, "REX_VERBOSE=1", "REX_LOG_FILE="+k.logFile())
	}
	for _, kv := range k.env {
		env = append(env, k.expand(kv))
	}
	return env
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
