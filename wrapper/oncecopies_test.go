package wrapper

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rexbuild/rex/manifest"
	"github.com/rexbuild/rex/stats"
)

// TestRecordStatesOnceCopies: gcc skips a symlink to a header it has read
// once (same size, mtime and content: one that says #pragma once, or that
// an #import named) and does not list it. The compile still read it: a
// record must not hold once the link leads elsewhere. With no server, the
// compile's record is all that stands between the change and a stale
// object.
func TestRecordStatesOnceCopies(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the racy window")
	}
	for name, c := range map[string]struct{ header, directive string }{
		"pragma once": {"#pragma once\n", "#include"},
		"import":      {"", "#import"},
	} {
		t.Run(name, func(t *testing.T) {
			p := newProject(t, "")
			p.cfg.Direct, p.cfg.LocalCacheSize = true, 1<<30
			p.write("h.h", c.header+"int x;\n")
			p.write("other.h", c.header+"int y;\n")
			if err := os.Symlink("h.h", filepath.Join(p.dir, "alias.h")); err != nil {
				t.Fatal(err)
			}
			p.write("a.c", c.directive+" \"h.h\"\n#include \"alias.h\"\nint v;\n")
			time.Sleep(manifest.RacyWindow + 100*time.Millisecond)
			argv := []string{"gcc", "-Wno-deprecated", "-c", "a.c", "-o", "x.o"}
			// Compiled first (see depend.go), its account shows the copy
			// opened and not included: it keys nothing, and the next
			// compile takes the full path.
			if r := p.run(argv...); r.Outcome != stats.CacheMiss || r.Reason == nil ||
				!strings.Contains(r.Reason.Error(), "alias.h, which it did not include") {
				t.Fatalf("compiled first: %v (%v), want a miss that keys nothing", r.Outcome, r.Reason)
			}
			for i, want := range []stats.Outcome{stats.CacheMiss, stats.LocalCacheHit} {
				r := p.run(argv...)
				if r.Outcome != want {
					t.Fatalf("compile %d: %v (%v), want %v", i, r.Outcome, r.Reason, want)
				}
				if direct := strings.Contains(r.Phases, "direct"); direct != (i > 0) {
					t.Fatalf("compile %d: direct mode %v (%s)", i, direct, r.Phases)
				}
				os.Remove(filepath.Join(p.dir, "x.o"))
			}
			os.Remove(filepath.Join(p.dir, "alias.h"))
			if err := os.Symlink("other.h", filepath.Join(p.dir, "alias.h")); err != nil {
				t.Fatal(err)
			}
			local := localCompile(t, p.dir, argv)
			r := p.run(argv...)
			if r.RunLocal || r.ExitCode != 0 {
				t.Fatalf("after the link changed: %v (%v) exit %d", r.Outcome, r.Reason, r.ExitCode)
			}
			same(t, "after the link changed", collect(t, p.dir, r.Stderr), local)
		})
	}
}

func TestSaysOnce(t *testing.T) {
	for src, want := range map[string]bool{
		"#pragma once\n": true, "# pragma  once\nint x;\n": true, "_Pragma(\"once\")\n": true,
		"/* included only once */\n#pragma GCC visibility push(default)\n": false, "": false,
		"int x; /* at once */\n": false,
		// Continuations and a trigraph's backslash split the words.
		"#pragma on\\\nce\n":                     true,
		"#pr\\\r\nagma once\n":                   true,
		"#pragma on\\  \nce\n":                   true,
		"_Pragma(\"on\\\nce\")\n":                true,
		"#pragma on??/\nce\n":                    true,
		"#pragma GCC poison x \\ y\nint once;\n": false,
	} {
		if got := saysOnce([]byte(src)); got != want {
			t.Errorf("saysOnce(%q) = %v, want %v", src, got, want)
		}
	}
}
