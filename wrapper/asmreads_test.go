package wrapper

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rexbuild/rex/stats"
)

// TestAssemblerReadsKeepTheCacheEmpty: an .incbin that rex's reading of
// the text cannot see (a string escape spells "b") reads data.bin; with no
// server, the local compile must not fill the cache, or a changed data.bin
// would be served the old object.
func TestAssemblerReadsKeepTheCacheEmpty(t *testing.T) {
	// The assembler's lists go to the temporary directory: a private one,
	// which no other test's compiles write to meanwhile.
	t.Setenv("TMPDIR", t.TempDir())
	p := newProject(t, "")
	p.cfg.LocalCacheSize = 1 << 30
	p.write("data.bin", "first")
	p.write("a.c", "__asm__(\".section .rodata\\n.inc\\x62in \\\"data.bin\\\"\\n.previous\");\n")
	p.write("b.c", "int b;\n")
	argv := []string{"gcc", "-c", "a.c", "-o", "a.o"}
	r := p.run(argv...)
	if r.Outcome != stats.CacheMiss || !errors.Is(r.Reason, errAssemblerRead) {
		t.Fatalf("first compile: %v (%v), want a miss the cache does not keep", r.Outcome, r.Reason)
	}
	p.write("data.bin", "second")
	if r := p.run(argv...); r.Outcome == stats.LocalCacheHit {
		t.Fatal("the second compile was served from the cache")
	}
	// A compile whose assembler reads only its own .s fills the cache, and
	// leaves no list behind.
	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "rex-as-*.d"))
	for i, want := range []stats.Outcome{stats.CacheMiss, stats.LocalCacheHit} {
		if r := p.run("gcc", "-c", "b.c", "-o", "b.o"); r.Outcome != want || r.Reason != nil {
			t.Fatalf("b.c, compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
		}
	}
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "rex-as-*.d"))
	for _, f := range after {
		if !slices.Contains(before, f) {
			t.Errorf("%s left behind", f)
		}
	}
}

// TestAssemblerReadsThroughASymlink: "lnk/../k.h" cleans to the keyed
// k.h, but the kernel resolves lnk first and reads another file.
func TestAssemblerReadsThroughASymlink(t *testing.T) {
	p := newProject(t, "")
	p.cfg.LocalCacheSize = 1 << 30
	p.write("o/in/keep", "")
	if err := os.Symlink("o/in", filepath.Join(p.dir, "lnk")); err != nil {
		t.Fatal(err)
	}
	p.write("k.h", "#define K 1\n")
	p.write("o/k.h", "OTHER")
	p.write("a.c", "#include \"k.h\"\n__asm__(\".section .rodata\\n.inc\\142in \\\"lnk/../k.h\\\"\\n.previous\");\nint v = K;\n")
	if r := p.run("gcc", "-c", "a.c", "-o", "a.o"); r.Outcome != stats.CacheMiss || !errors.Is(r.Reason, errAssemblerRead) {
		t.Fatalf("%v (%v), want a miss the cache does not keep", r.Outcome, r.Reason)
	}
}

// TestAssemblerNamesTheSourceThroughASymlink: gcc names the source in
// .file by its base name, which the assembler lists but does not open;
// the source named by an absolute path through a symlinked directory is
// keyed under another spelling. The cache is filled.
func TestAssemblerNamesTheSourceThroughASymlink(t *testing.T) {
	p := newProject(t, "")
	p.cfg.LocalCacheSize = 1 << 30
	p.write("real/a.c", "int a;\n")
	if err := os.Symlink("real", filepath.Join(p.dir, "link")); err != nil {
		t.Fatal(err)
	}
	argv := []string{"gcc", "-c", filepath.Join(p.dir, "link/a.c"), "-o", "a.o"}
	for i, want := range []stats.Outcome{stats.CacheMiss, stats.LocalCacheHit} {
		if r := p.run(argv...); r.Outcome != want || r.Reason != nil {
			t.Fatalf("compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
		}
	}
}

// TestAssemblerReadsAFileOfTheSourcesName: an .incbin of "a.c" in the cwd,
// where the source is src/a.c, is listed as .file's name is: the cache
// stays empty.
func TestAssemblerReadsAFileOfTheSourcesName(t *testing.T) {
	p := newProject(t, "")
	p.cfg.LocalCacheSize = 1 << 30
	p.write("src/a.c", "__asm__(\".section .rodata\\n.inc\\142in \\\"a.c\\\"\\n.previous\");\nint x;\n")
	p.write("a.c", "AAAA")
	if r := p.run("gcc", "-c", "src/a.c", "-o", "a.o"); r.Outcome != stats.CacheMiss || !errors.Is(r.Reason, errAssemblerRead) {
		t.Fatalf("%v (%v), want a miss the cache does not keep", r.Outcome, r.Reason)
	}
}

func TestMakeRulePrereqs(t *testing.T) {
	got := makeRulePrereqs("e.o: sp\\ ace/d\\ b.bin e.c \\\n /tmp/ccT93FY5.s d$$x.bin a#b%c:d.bin back\\\\\\ slash x\\y\n")
	want := []string{"sp ace/d b.bin", "e.c", "/tmp/ccT93FY5.s", "d$x.bin", "a#b%c:d.bin", "back\\ slash", "x\\y"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}
