package adversarial

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// logDir, for a diagnostic rerun only, makes every rex run verbose and
// appends its messages to DIR/<case>.log.
var logDir = flag.String("rexlog", "", "diagnostic rerun: REX_VERBOSE=1, REX_LOG_FILE=DIR/<case>.log")

// localOnly runs every case as a local compiler cache's: no server, its
// files aged before the first compile. Its compiles then take the path of
// a compile rex never keyed (it runs at once and its compiler's account
// keys it; see wrapper/depend.go) and, after the mutation, that of a
// record, a scan or another such compile. The cases' expected outcomes are
// the server's and are not checked; outputs, streams and exit codes are.
var localOnly = flag.Bool("local", false, "every case with no server, its files aged before the first compile")

// server is the one rex-server (embedded workers) of this test binary.
var server *testenv.Server

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	tb := &mainTB{}
	dir, err := os.MkdirTemp("", "rex-adversarial-server-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tb.cleanups = append(tb.cleanups, func() { os.RemoveAll(dir) })
	server = testenv.StartServer(tb, dir)
	if os.Getenv("REX_BIN_DIR") == "" {
		// testenv builds into a private temp dir per test process and
		// leaves it behind; this process is done with it when it ends.
		bin := filepath.Dir(testenv.Bin(tb, "rex"))
		tb.cleanups = append([]func(){func() { os.RemoveAll(bin) }}, tb.cleanups...)
	}
	code := m.Run()
	if *localOnly {
		fmt.Print("with no server (-local): ")
	}
	fmt.Println(tally.summary())
	if *localOnly && code == 0 && tally.compiledFirst == 0 && tally.total() > 0 {
		// Else the pass proves nothing of the path it is for.
		fmt.Println("adversarial: -local: no first compile ran with no scan before it")
		code = 1
	}
	tb.cleanup()
	os.Exit(code)
}

// mainTB lets TestMain use testenv's helpers: a failure there ends the
// process, as it would end a test.
type mainTB struct {
	testing.TB
	cleanups []func()
}

func (*mainTB) Helper() {}

func (tb *mainTB) Cleanup(f func()) { tb.cleanups = append(tb.cleanups, f) }

func (tb *mainTB) Fatal(args ...any) { tb.Fatalf("%s", fmt.Sprint(args...)) }

func (tb *mainTB) Fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "adversarial: "+format+"\n", args...)
	tb.cleanup()
	os.Exit(1)
}

func (tb *mainTB) cleanup() {
	for i := len(tb.cleanups) - 1; i >= 0; i-- {
		tb.cleanups[i]()
	}
	tb.cleanups = nil
}

// counts is what the suite found, per class and per kind of unsoundness.
type counts struct {
	mu       sync.Mutex
	perClass map[string]int
	verdicts []string
	// wrong: an output differs from the local compile's; stale: a cache
	// hit after the mutation gave the old result; failed: the local
	// compile succeeded and rex's did not; other: stdout, stderr, exit
	// code or an expected outcome differs.
	wrong, stale, failed, other int
	// directHits counts the cases whose compile before the mutation was
	// served by direct mode.
	directHits int
	// compiledFirst counts the cases (-local) whose first compile ran
	// with no scan before it.
	compiledFirst int
}

var tally = &counts{perClass: map[string]int{}}

var classOrder = []string{"toolchain", "root", "absence", "unlisted", "resolver", "paths",
	"cache-only", "remote-failure", "behaviour", "direct", "twins", "outputs", "dirs", "retry", "scan", "state", "wrappers"}

func (c *counts) record(class, name string, outcomes, problems []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.perClass[class]++
	verdict := "PASS"
	if len(problems) > 0 {
		verdict = "FAIL (" + strings.Join(problems, "; ") + ")"
	}
	c.verdicts = append(c.verdicts, fmt.Sprintf("  %s/%s: %s [%s]", class, name, verdict, strings.Join(outcomes, ", ")))
}

func (c *counts) add(problem string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch problem {
	case failedBuild:
		c.failed++
	case staleHit:
		c.stale++
	case wrongObject:
		c.wrong++
	default:
		c.other++
	}
}

func (c *counts) direct() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.directHits++
}

func (c *counts) first() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.compiledFirst++
}

func (c *counts) total() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, k := range c.perClass {
		n += k
	}
	return n
}

func (c *counts) summary() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	total := 0
	var parts []string
	for _, class := range classOrder {
		if n := c.perClass[class]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%s %d", class, n))
		}
	}
	sort.Strings(c.verdicts)
	first := ""
	if *localOnly {
		first = fmt.Sprintf("; %d first compiles ran with no scan before them", c.compiledFirst)
	}
	return fmt.Sprintf("%s\nadversarial: %d cases (%s), %d wrong objects, %d stale hits, %d failed builds, %d other differences; %d mutations met a direct-mode record%s",
		strings.Join(c.verdicts, "\n"), total, strings.Join(parts, ", "), c.wrong, c.stale, c.failed, c.other, c.directHits, first)
}
