package adversarial

import (
	"testing"
	"time"
)

// onceHeader is a header that gcc and clang read once however often it is
// included: and, for gcc, a copy of it with the same mtime is the same
// header (gcc compares size, mtime and content), for clang a hard link to
// it. A worker stages inputs of equal content as links to one cached file,
// so it sees copies as one header wherever the user's tree holds two.
const onceHeader = "#pragma once\n#ifdef ONCE_SEEN\nint included_twice;\n#endif\n#define ONCE_SEEN 1\n"

// splitOnce is onceHeader with its pragma's word split by a
// backslash-newline, commentOnce with a comment over two lines in it, and
// plainHeader a header read as often as it is
// included, which counts its inclusions.
const (
	splitOnce   = "#pragma on\\\nce\n#ifdef ONCE_SEEN\nint included_twice;\n#endif\n#define ONCE_SEEN 1\n"
	commentOnce = "#pragma /* read\nonce */ once\n#ifdef ONCE_SEEN\nint included_twice;\n#endif\n#define ONCE_SEEN 1\n"
	plainHeader = "#ifdef PLAIN_SEEN\nint included_twice;\n#endif\n#define PLAIN_SEEN 1\n"
)

// Twin headers: two inputs with the same content that the compiler tells
// apart by their stat data, which no key covers.
func TestTwins(t *testing.T) {
	twice := map[string]string{"v1/once.h": onceHeader, "v2/once.h": onceHeader,
		"a.c": "#include \"v1/once.h\"\n#include \"v2/once.h\"\n"}
	older := touch("v2/once.h", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC))
	for _, s := range []spec{{
		// Locally both copies are read (their mtimes differ): the
		// object has the symbol that only a second inclusion defines.
		name:   "gcc: #pragma once copies with different mtimes",
		files:  twice,
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  older,
		mutate: edit("v1/once.h", onceHeader+"int edited;\n"),
	}, {
		// Vendored copies of one header, updated at different times:
		// the build fails locally, and must not pass under rex.
		name: "gcc: #pragma once copies redefine a struct",
		files: map[string]string{"v1/cfg.h": "#pragma once\nstruct cfg { int x; };\n",
			"v2/cfg.h": "#pragma once\nstruct cfg { int x; };\n",
			"a.c":      "#include \"v1/cfg.h\"\n#include \"v2/cfg.h\"\nint f(struct cfg *c) { return c->x; }\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  touch("v2/cfg.h", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
		mutate: edit("a.c", "#include \"v1/cfg.h\"\n#include \"v2/cfg.h\"\nint g(struct cfg *c) { return c->x; }\n"),
	},
		// The copies say nothing of being read once: a macro that
		// another header defines marks them.
		markedCopies("gcc: copies a _Pragma macro of another header marks",
			"#define SKIP_AGAIN _Pragma(\"once\")\n", "SKIP_AGAIN\n"),
		markedCopies("gcc: copies whose _Pragma takes its string from another header's macro",
			"#define SKIP_STR \"once\"\n", "_Pragma(SKIP_STR)\n"),
		markedCopies("gcc: copies a stringizing _Pragma macro of another header marks",
			"#define DO_PRAGMA(x) _Pragma(#x)\n#define SKIP_AGAIN DO_PRAGMA(once)\n", "SKIP_AGAIN\n"),
		// The word once stands on the command line alone.
		withArgs(markedCopies("gcc: copies a stringizing _Pragma macro marks, its once from a -D",
			"#define DO_PRAGMA(x) _Pragma(#x)\n", "SKIP_AGAIN\n"), "-DSKIP_AGAIN=DO_PRAGMA(once)"),
		markedCopies("gcc: copies whose once a macro pastes from written pieces",
			"#define S(x) #x\n#define DO_PRAGMA(x) _Pragma(S(x))\n#define SKIP_AGAIN DO_PRAGMA(on##ce)\n", "SKIP_AGAIN\n"),
		// A backslash-newline splits "once": gcc joins the lines before
		// it reads the pragma.
		onceCopies("gcc: copies whose #pragma once a backslash-newline splits", splitOnce, older),
		// A block comment between the words: the directive goes on past
		// the comment's line end.
		onceCopies("gcc: copies whose #pragma once a block comment over two lines splits", commentOnce, older),
		// An #import marks the header it names read once, and gcc then
		// skips any file of its size, mtime and content.
		plainCopies("gcc: copies, one of them #imported after a comment",
			"# /* the deprecated spelling */ import \"v1/h.h\"\n#include \"v2/h.h\"\n", nil),
		plainCopies("gcc: copies, one of them #imported, the directive's word split by a backslash-newline",
			"#im\\\nport \"v1/h.h\"\n#include \"v2/h.h\"\n", nil),
		// Copies nothing marks once (the kernel's one-line
		// <linux/sched/*.h> that each include <linux/sched.h>) are read
		// as often as they are included, wherever a comment says
		// "important": the compile runs remotely.
		plainCopies("gcc: copies read twice by design, beside a comment that says important",
			"/* It is important that both copies are read. */\n#include \"v1/h.h\"\n#include \"v2/h.h\"\n",
			func(phase, outcome string) string {
				if phase == "base" && outcome != "remote execution" {
					return "copies that nothing marks read once should not keep the compile local, rex did: " + outcome
				}
				return ""
			}),
		{
			// clang tells headers apart by inode: two files locally, one
			// on a worker that links both to its cached copy.
			name:   "clang: #pragma once copies",
			tool:   "clang",
			files:  twice,
			cmd:    []string{"clang", "-c", "a.c", "-o", "a.o"},
			mutate: edit("v1/once.h", onceHeader+"int edited;\n"),
		}} {
		s.class = "twins"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

// onceCopies is two copies of header, which the source includes both of;
// setup gives them mtimes apart.
func onceCopies(name, header string, setup func(*kase)) spec {
	return spec{
		name:   name,
		files:  map[string]string{"v1/once.h": header, "v2/once.h": header, "a.c": "#include \"v1/once.h\"\n#include \"v2/once.h\"\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  setup,
		mutate: edit("v1/once.h", header+"int edited;\n"),
	}
}

// plainCopies is two copies of plainHeader, with mtimes apart, that src,
// a.c, includes (or imports); want, when not nil, checks rex's outcome.
func plainCopies(name, src string, want func(phase, outcome string) string) spec {
	return spec{
		name:   name,
		files:  map[string]string{"v1/h.h": plainHeader, "v2/h.h": plainHeader, "a.c": src},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  touch("v2/h.h", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
		mutate: edit("v1/h.h", plainHeader+"int edited;\n"),
		want:   want,
	}
}

// withArgs adds arguments to a case's compile, before its -c.
func withArgs(s spec, args ...string) spec {
	s.cmd = append(append([]string{s.cmd[0]}, args...), s.cmd[1:]...)
	return s
}

// markedCopies is two copies of a header, with mtimes apart, that begin
// with mark, which pragma.h's macros make mark them read once.
func markedCopies(name, pragmaH, mark string) spec {
	body := mark + onceHeader[len("#pragma once\n"):]
	return spec{
		name: name,
		files: map[string]string{"pragma.h": pragmaH, "v1/h.h": body, "v2/h.h": body,
			"a.c": "#include \"pragma.h\"\n#include \"v1/h.h\"\n#include \"v2/h.h\"\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  touch("v2/h.h", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
		mutate: edit("v1/h.h", body+"int edited;\n"),
	}
}
