package adversarial

import (
	"os"
	"testing"
	"time"
)

const profiled = `static long f(long i) { return i * 3; }
static long g(long i) { return i ^ 5; }
int main(int argc, char **argv) {
	long s = 0;
	for (long i = 0; i < 100000; i++)
		s += (i % (argc + 1) == 0) ? f(i) : g(i);
	return (int)(s & 1);
}
`

// Files the compiler reads that -M does not list: rex must upload them or
// compile locally.
func TestUnlisted(t *testing.T) {
	for _, s := range []spec{{
		name: ".incbin data in inline asm",
		files: map[string]string{"data.bin": "first blob\n",
			"a.c": "__asm__(\".section .rodata\\n.global blob\\nblob:\\n.incbin \\\"data.bin\\\"\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("data.bin", "second, longer blob\n"),
	}, {
		// Outside the tree: if a worker can read the host's /opt, it reads
		// a file no key covers.
		name: ".incbin of an absolute path outside the tree",
		files: map[string]string{"{X}/data.bin": "first blob\n",
			"a.c": "__asm__(\".section .rodata\\n.global blob\\nblob:\\n.incbin \\\"{X}/data.bin\\\"\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("{X}/data.bin", "second, longer blob\n"),
	}, {
		name:  "-fprofile-use with a .gcda",
		files: map[string]string{"p.c": profiled},
		cmd:   []string{"gcc", "-O2", "-fprofile-use", "-c", "p.c", "-o", "p.o"},
		setup: func(k *kase) {
			k.sh("gcc -O2 -fprofile-generate -c p.c -o p.o && gcc -fprofile-generate p.o -o prog && ./prog && rm p.o prog")
		},
		mutate: func(k *kase) {
			k.sh("gcc -O2 -fprofile-generate -c p.c -o p.o && gcc -fprofile-generate p.o -o prog && ./prog a b c && rm p.o prog")
		},
		want: wantLocalRun,
	}, {
		name:  "x.h.gch next to x.h",
		files: map[string]string{"x.h": "const int xv = 1;\n", "c.cc": "#include \"x.h\"\nint get() { return xv; }\n"},
		cmd:   []string{"g++", "-c", "c.cc", "-o", "c.o"},
		// gcc does not check a .gch against its header: the object holds
		// what the .gch holds.
		setup: func(k *kase) {
			k.sh("g++ -x c++-header x.h -o x.h.gch")
			k.write("x.h", "const int xv = 2;\n")
		},
		mutate: func(k *kase) {
			k.write("x.h", "const int xv = 3;\n")
			k.sh("g++ -x c++-header x.h -o x.h.gch")
			k.write("x.h", "const int xv = 2;\n")
		},
	}, {
		name: "-B dir with an assembler",
		files: map[string]string{"tools/as": "#!/bin/sh\nexec /usr/bin/as --defsym BMARK=7 \"$@\"\n",
			"b.c": "int x(void) { return 1; }\n"},
		cmd:    []string{"gcc", "-Btools/", "-c", "b.c", "-o", "b.o"},
		mutate: edit("tools/as", "#!/bin/sh\nexec /usr/bin/as --defsym BMARK=8 \"$@\"\n"),
	}, {
		name:   "-specs=file",
		files:  map[string]string{"s.specs": "*cpp:\n+ -DSPECVAL=5\n", "a.c": "int v = SPECVAL;\n"},
		cmd:    []string{"gcc", "-specs=s.specs", "-c", "a.c", "-o", "a.o"},
		mutate: edit("s.specs", "*cpp:\n+ -DSPECVAL=6\n"),
	}, {
		name:   "__TIMESTAMP__ after a touch",
		files:  map[string]string{"a.c": "const char *stamp = __TIMESTAMP__;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		setup:  touch("a.c", time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)),
		mutate: touch("a.c", time.Date(2021, 6, 7, 8, 9, 10, 0, time.UTC)),
	}, {
		// One string to the assembler once the compiler joins them.
		name: ".incbin spelt by adjacent string literals",
		files: map[string]string{"data.bin": "first blob\n",
			"a.c": "__asm__(\".section .rodata\\n.global blob\\nblob:\\n.inc\" \"bin \\\"data.bin\\\"\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("data.bin", "second, longer blob\n"),
		want:   wantLocalRun,
	}, {
		// No server: rex compiles locally and keeps the object in its
		// local cache.
		name: ".incbin spelt by adjacent string literals, local cache alone",
		files: map[string]string{"data.bin": "first blob\n",
			"a.c": "__asm__(\".section .rodata\\n.global blob\\nblob:\\n.in\"\n\"cb\" \"in \\\"data.bin\\\"\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"REX_SERVER="},
		mutate: edit("data.bin", "second, longer blob\n"),
	}, {
		// Beyond rex's reading of the text: the assembler's own list of
		// what it read keeps the cache empty.
		name: ".incbin spelt with a string escape, local cache alone",
		files: map[string]string{"data.bin": "first blob\n",
			"a.c": "__asm__(\".section .rodata\\n.global blob\\nblob:\\n.inc\\x62in \\\"data.bin\\\"\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"REX_SERVER="},
		mutate: edit("data.bin", "second, longer blob\n"),
	}, {
		name: ".incbin built by a gas macro, local cache alone",
		files: map[string]string{"data.bin": "first blob\n",
			"a.c": "__asm__(\".macro m\\n.inc\\\\()bin \\\"data.bin\\\"\\n.endm\\n.section .rodata\\nm\\n.previous\");\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"REX_SERVER="},
		mutate: edit("data.bin", "second, longer blob\n"),
	}, {
		// The compile reads the clock, in its own time zone: 26 hours
		// apart, the two zones never share a date.
		name:   "__DATE__ in a header, then another time zone",
		files:  map[string]string{"v.h": "#define BUILT \"built \" __DATE__\n", "a.c": "#include \"v.h\"\nconst char *built = BUILT;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"TZ=Etc/GMT+12"},
		mutate: func(k *kase) { k.env = []string{"TZ=Etc/GMT-14"} },
	}, {
		// Read line by line, the quote in the comment's last line opens a
		// string that hides the word.
		name:   "__DATE__ after a block comment over lines that holds a quote",
		files:  map[string]string{"a.c": "/* a comment\n   that says \"hi */ const char *built = __DATE__; const char *u = \"x\";\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"TZ=Etc/GMT+12"},
		mutate: func(k *kase) { k.env = []string{"TZ=Etc/GMT-14"} },
	}, {
		name:   "__DATE__ and __TIME__ under SOURCE_DATE_EPOCH",
		files:  map[string]string{"a.c": "const char *built = __DATE__ \" \" __TIME__;\n"},
		cmd:    []string{"gcc", "-c", "a.c", "-o", "a.o"},
		env:    []string{"SOURCE_DATE_EPOCH=86400"},
		mutate: func(k *kase) { k.env = []string{"SOURCE_DATE_EPOCH=259200"} },
		want: func(phase, outcome string) string {
			if outcome == "local run" {
				return "SOURCE_DATE_EPOCH fixes the date and time, rex compiled locally"
			}
			return ""
		},
	}} {
		s.class = "unlisted"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

// wantLocalRun is the want of a case whose compile reads what rex cannot
// key: on a server, a missing input fails the remote compile and rex
// falls back, which hides the miss from the compare.
func wantLocalRun(phase, outcome string) string {
	if outcome != "local run" {
		return "the compile reads a file no scan lists and must run locally, rex did: " + outcome
	}
	return ""
}

func touch(name string, when time.Time) func(*kase) {
	return func(k *kase) {
		if err := os.Chtimes(k.path(name), when, when); err != nil {
			k.t.Fatal(err)
		}
	}
}

// A compiler found through PATH may be a wrapper: the object must be what
// the wrapper makes.
func TestResolver(t *testing.T) {
	src := "#ifndef WRAPPED\n#define WRAPPED 0\n#endif\nint wrapped = WRAPPED;\n"
	for _, s := range []spec{{
		name:   "g++ wrapper script earlier in PATH",
		files:  map[string]string{"wrapbin/g++": "#!/bin/sh\nexec /usr/bin/g++ -DWRAPPED=1 \"$@\"\n", "a.cc": src},
		env:    []string{"PATH={R}/wrapbin:{PATH}"},
		cmd:    []string{"g++", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("wrapbin/g++", "#!/bin/sh\nexec /usr/bin/g++ -DWRAPPED=2 \"$@\"\n"),
	}, {
		name:   "gcc wrapper script by relative path",
		files:  map[string]string{"tools/gcc": "#!/bin/sh\nexec /usr/bin/gcc -DWRAPPED=3 \"$@\"\n", "a.c": src},
		cmd:    []string{"./tools/gcc", "-c", "a.c", "-o", "a.o"},
		mutate: edit("tools/gcc", "#!/bin/sh\nexec /usr/bin/gcc -DWRAPPED=4 \"$@\"\n"),
	}, {
		// A wrapper that reads its own configuration: what it adds is not
		// in the wrapper's bytes.
		name: "g++ wrapper under /opt reading a flags file",
		files: map[string]string{"{X}/bin/g++": "#!/bin/sh\nexec /usr/bin/g++ $(cat {X}/flags) \"$@\"\n",
			"{X}/flags": "-DWRAPPED=5\n", "a.cc": src},
		env:    []string{"PATH={X}/bin:{PATH}"},
		cmd:    []string{"g++", "-c", "a.cc", "-o", "a.o"},
		mutate: edit("{X}/flags", "-DWRAPPED=6\n"),
	}} {
		s.class = "resolver"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}
