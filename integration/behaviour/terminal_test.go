package behaviour

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

const warnSrc = "int f(void) { int unused; return 0; }\n"

// onTerminal runs the shell command line under script(1), on a pty with
// TERM=xterm (on which gcc 12 colours diagnostics but adds no links), and
// returns what the terminal showed.
func (tr *tree) onTerminal(line string, env ...string) string {
	tr.t.Helper()
	if _, err := exec.LookPath("script"); err != nil {
		tr.t.Skip("script (util-linux) is not installed")
	}
	cmd := exec.Command("script", "-q", "-e", "-c", line, "/dev/null")
	cmd.Dir, cmd.Env = tr.dir, append(append(tr.env, "TERM=xterm"), env...)
	out, err := cmd.Output()
	if err != nil {
		tr.t.Fatalf("script -c %q: %v\n%s", line, err, out)
	}
	return string(out)
}

// TestColorOnTerminal: on a terminal, rex shows the diagnostics of a
// remote compile with the colours the local compiler gives, and the object
// is the one the local compile writes (the colour option is not recorded).
func TestColorOnTerminal(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	rex := testenv.Bin(t, "rex")
	for _, cc := range []string{"gcc", "clang"} {
		t.Run(cc, func(t *testing.T) {
			requireCompiler(t, cc)
			tr := newTree(t, srv.Addr, map[string]string{"w.c": warnSrc})
			compile := cc + " -g -Wall -c w.c -o "
			want := tr.onTerminal(compile + "plain.o")
			got := tr.onTerminal(rex + " " + compile + "rex.o")
			if !strings.Contains(want, "\x1b[") {
				t.Fatalf("%s on a terminal printed no colours: %q", cc, want)
			}
			if got != want {
				t.Errorf("on a terminal:\nrex %q\n%s  %q", got, cc, want)
			}
			if !bytes.Equal(tr.read("rex.o"), tr.read("plain.o")) {
				t.Error("the object differs from the local compile's")
			}
			if s := tr.stats(); s.RemoteExecutions != 1 {
				t.Errorf("stats %+v, want one remote execution", s)
			}
			// Off the terminal, no colours either way.
			plain, viaRex := tr.run(cc, "-Wall", "-c", "w.c", "-o", "p2.o"), tr.rex(cc, "-Wall", "-c", "w.c", "-o", "r2.o")
			if viaRex != plain || strings.Contains(plain.stderr, "\x1b[") {
				t.Errorf("captured: rex %+v, %s %+v", viaRex, cc, plain)
			}
		})
	}
}

// TestMessagesOnlyWherePeopleRead: the --verbose line and the fallback
// warning reach a terminal or REX_LOG_FILE, never a captured stderr, which
// stays what the compiler printed.
func TestMessagesOnlyWherePeopleRead(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	down := fmt.Sprintf("REX_SERVER=grpc://127.0.0.1:%d", testenv.FreePort(t))
	for _, tt := range []struct {
		name, env, line string // line: what the second run logs
	}{
		{"verbose", "REX_VERBOSE=1", "cache hit (action"},
		{"fallback", down, "rex: remote compile failed, compiling locally"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tr := newTree(t, srv.Addr, map[string]string{"w.c": warnSrc})
			tr.env = append(tr.env, tt.env)
			argv := []string{"gcc", "-Wall", "-c", "w.c", "-o", "w.o"}
			plain, viaRex := tr.run(argv...), tr.rex(argv...)
			if viaRex != plain {
				t.Errorf("captured: rex %+v, gcc %+v", viaRex, plain)
			}
			log := filepath.Join(t.TempDir(), "rex.log")
			tr.env = append(tr.env, "REX_LOG_FILE="+log)
			if tr.rex(argv...) != plain {
				t.Errorf("with REX_LOG_FILE, stderr changed")
			}
			if got, _ := os.ReadFile(log); !strings.Contains(string(got), tt.line) {
				t.Errorf("log file %q lacks %q", got, tt.line)
			}
		})
	}
	// And a terminal shows them.
	tr := newTree(t, srv.Addr, map[string]string{"w.c": warnSrc})
	if got := tr.onTerminal(testenv.Bin(t, "rex")+" gcc -c w.c", "REX_VERBOSE=1"); !strings.Contains(got, "rex: remote execution") {
		t.Errorf("terminal showed %q, want the verbose line", got)
	}
}
