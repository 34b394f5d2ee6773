package observe

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/rexbuild/rex/explain"
	"github.com/rexbuild/rex/integration/testenv"
)

// step is one change between compiles, and the difference it makes.
type step struct {
	name   string
	change func()
	env    []string
	argv   []string
	want   explain.Difference
}

// Each kind of change makes a miss, and rex explain names it.
func TestExplainNamesTheChange(t *testing.T) {
	srv := testenv.StartServer(t, "", "--workers", "1")
	tr := newTree(t, srv.Addr, map[string]string{
		"src/a.c":    "#include \"x.h\"\nint a(void) { return X; }\n",
		"inc2/x.h":   "#define X 1\n",
		"inc1/.keep": "",
	})
	argv := []string{"gcc", "-Iinc1", "-Iinc2", "-c", "src/a.c", "-o", "a.o"}
	tr.compile(nil, argv...)
	tr.compile(nil, argv...)
	if e := tr.explain(); e.Outcome != "local_cache_hits" || !strings.Contains(e.Why, "cache hit") {
		t.Fatalf("the second compile: %+v", e)
	}
	steps := []step{
		{"input content", func() { tr.write(map[string]string{"inc2/x.h": "#define X 2\n"}) }, nil, argv,
			explain.Difference{Kind: "input", Name: "inc2/x.h"}},
		{"new header", func() { tr.write(map[string]string{"inc1/x.h": "#define X 3\n"}) }, nil, argv,
			explain.Difference{Kind: "input", Name: "inc1/x.h"}},
		{"argument", nil, nil, append([]string{"gcc", "-DY=1"}, argv[1:]...),
			explain.Difference{Kind: "argument", New: "-DY=1"}},
		{"environment", nil, []string{"LC_ALL=C"}, argv,
			explain.Difference{Kind: "environment", Name: "LC_ALL", New: "C"}},
		{"platform", nil, []string{"REX_REMOTE_PLATFORM_OSFamily=linux"}, argv,
			explain.Difference{Kind: "platform", Name: "OSFamily", New: "linux"}},
	}
	if _, err := exec.LookPath("clang"); err == nil {
		steps = append(steps, step{"compiler", nil, nil, append([]string{"clang"}, argv[1:]...), explain.Difference{Kind: "compiler"}})
	}
	for _, s := range steps {
		if s.change != nil {
			s.change()
		}
		tr.compile(s.env, s.argv...)
		e := tr.explain()
		if !hasDifference(e.Differences, s.want) {
			t.Errorf("%s: rex explain does not name %+v:\n%+v", s.name, s.want, e)
		}
		if s.name == "platform" && !strings.Contains(e.Why, "no worker offers platform") {
			t.Errorf("platform: the fallback's reason is not given: %q", e.Why)
		}
	}
	text := tr.rex(nil, "explain", "a.o").Stdout
	if !strings.Contains(text, "compared with") || !strings.Contains(text, "a.o") {
		t.Errorf("rex explain a.o printed:\n%s", text)
	}
}

func (tr *tree) explain() explain.Explanation {
	tr.t.Helper()
	var e explain.Explanation
	tr.json(&e, "explain", "--json", "a.o")
	return e
}

// hasDifference says whether ds holds one like want: its kind, and each
// of its other fields that want sets.
func hasDifference(ds []explain.Difference, want explain.Difference) bool {
	for _, d := range ds {
		if d.Kind == want.Kind && (want.Name == "" || d.Name == want.Name) &&
			(want.New == "" || d.New == want.New) && (want.Old == "" || d.Old == want.Old) {
			return true
		}
	}
	return false
}
