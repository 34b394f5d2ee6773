package plan

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitCommand(t *testing.T) {
	for in, want := range map[string][]string{
		`/usr/bin/c++  -DX=1 -I/a\ b -o o.o -c /s/a.cc`: {"/usr/bin/c++", "-DX=1", "-I/a b", "-o", "o.o", "-c", "/s/a.cc"},
		`gcc -DS='"x y"' -c a.c`:                        {"gcc", `-DS="x y"`, "-c", "a.c"},
		`gcc "-DQ=\"q\"" -D"A B" -c a.c`:                {"gcc", `-DQ="q"`, "-DA B", "-c", "a.c"},
		`gcc -DE= -c a.c`:                               {"gcc", "-DE=", "-c", "a.c"},
	} {
		got, err := splitCommand(in)
		if err != nil {
			t.Errorf("%s: %v", in, err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", in, d)
		}
	}
	if _, err := splitCommand(`gcc "-DX`); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

func TestLoadDropsLaunchers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "compile_commands.json")
	os.WriteFile(path, []byte(`[
 {"directory": "/b", "command": "/usr/bin/rex /usr/bin/gcc -c /s/a.c -o a.o", "file": "/s/a.c"},
 {"directory": "/b", "arguments": ["ccache", "g++", "-c", "b.cc"], "file": "b.cc", "output": "b.o"}
]`), 0o644)
	entries, err := Load(path)
	if err != nil || len(entries) != 2 {
		t.Fatalf("Load: %v, %v", entries, err)
	}
	for i, want := range [][]string{{"/usr/bin/gcc", "-c", "/s/a.c", "-o", "a.o"}, {"g++", "-c", "b.cc"}} {
		got, err := entries[i].Argv()
		if err != nil || !cmp.Equal(got, want) {
			t.Errorf("entry %d: %v, %v; want %v", i, got, err, want)
		}
	}
}
