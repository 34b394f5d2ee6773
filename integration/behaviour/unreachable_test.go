package behaviour

import (
	"fmt"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// TestUnreachableIsPerServer: server A being down is remembered, but only
// for A: the next compile, against server B with the same REX_DIR, runs
// remotely on B.
func TestUnreachableIsPerServer(t *testing.T) {
	b := testenv.StartServer(t, "", "--workers", "1")
	a := fmt.Sprintf("grpc://127.0.0.1:%d", testenv.FreePort(t))
	tr := newTree(t, a, cFiles())
	argv := []string{"gcc", "-c", "a.c", "-o", "a.o"}
	if r := tr.rex(argv...); r.exit != 0 {
		t.Fatalf("against a down server: %+v", r)
	}
	if s := tr.stats(); s.LocalFallbacks != 1 {
		t.Fatalf("stats %+v, want one fallback", s)
	}
	tr.env = append(tr.env, "REX_SERVER="+b.Addr)
	if r := tr.rex(argv...); r.exit != 0 {
		t.Fatalf("against server B: %+v", r)
	}
	if s := tr.stats(); s.RemoteExecutions != 1 || s.LocalFallbacks != 1 {
		t.Errorf("stats %+v: the compile against B was skipped because A was down", s)
	}
}
