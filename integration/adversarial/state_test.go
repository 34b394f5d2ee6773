package adversarial

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// REX_DIR holds what earlier compiles learned: directory reads (dirs/),
// direct-mode records and explain's keys. A file there that is damaged (a
// crash before its data reached the disk, a bad block, a stray write) may
// cost a scan or a read, never give a compile another compile's result.
// Each case damages the state after the warm compiles, so that the
// compile after the mutation meets the damaged file.
func TestDamagedState(t *testing.T) {
	src := map[string]string{"b/x.h": "const int xv = 1;\n", "c.c": "#include <x.h>\nint get(void) { return xv; }\n"}
	// a/x.h.gch alone shadows b/x.h, among enough names that the
	// record's gathering reads a too.
	gch := "mkdir -p a && for i in $(seq 20); do touch a/n$i.h; done && echo 'const int xv = 7;' > a/x.h && " +
		"gcc -x c-header a/x.h -o a/x.h.gch && rm a/x.h"
	two := map[string]string{"a/other.h": "", "b/h.h": "#define HV 1\n", "a.c": "#include <h.h>\nint v = HV;\n"}
	for _, s := range []spec{{
		name:   "kept directory read with a name changed",
		files:  src,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh(gch) },
		mutate: func(k *kase) { k.damage("dirs", "x.h.gch\x00", "x.h.gcX\x00") },
	}, {
		name:  "kept directory read truncated after a name",
		files: src,
		cmd:   []string{"gcc", "-Ia", "-Ib", "-c", "c.c", "-o", "c.o"},
		setup: func(k *kase) { k.sh(gch) },
		// The names are in no order: dropping one is cutting the file
		// short when it was the last.
		mutate: func(k *kase) { k.damage("dirs", "x.h.gch\x00", "") },
	}, {
		// The record says h.h is absent from a; damaged, it says "h.g".
		// A header made in a then changes a's stamp, and the absent
		// places are checked one by one.
		name:   "record with an absent place's name changed, header created there",
		files:  two,
		cmd:    []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) { k.damage("manifest", "\x03h.h", "\x03h.g"); k.write("a/h.h", "#define HV 2\n") },
	}, {
		name:  "record cut in half, header created in an earlier dir",
		files: two,
		cmd:   []string{"gcc", "-Ia", "-Ib", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) {
			k.eachState("manifest", func(data []byte) []byte { return data[:len(data)/2] })
			k.write("a/h.h", "#define HV 2\n")
		},
	}, {
		// A result kept locally whose stderr was lost: the warning must
		// still be replayed.
		name:  "local result cut after its output files",
		files: map[string]string{"w.c": "int f(int x) { int unused; return x; }\n"},
		cmd:   []string{"gcc", "-Wall", "-c", "w.c", "-o", "w.o"},
		mutate: func(k *kase) {
			k.eachState("/ac/", func(data []byte) []byte {
				n, size := binary.Uvarint(data[1:]) // the first field: the output file
				return data[:1+size+int(n)]
			})
		},
	}, {
		name:  "explain's keys file not JSON, header edited",
		files: map[string]string{"h.h": "#define HV 1\n", "a.c": "#include \"h.h\"\nint v = HV;\n"},
		cmd:   []string{"gcc", "-c", "a.c", "-o", "a.o"},
		mutate: func(k *kase) {
			k.eachState(".keys", func(data []byte) []byte { return append([]byte("\x1f\x8b"), data[:len(data)/3]...) })
			k.write("h.h", "#define HV 2\n")
		},
	}} {
		s.class = "state"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}

// damage replaces old by new in the state files whose path holds part,
// and fails the case when none held old: it would prove nothing.
func (k *kase) damage(part, old, new string) {
	k.t.Helper()
	changed := 0
	k.eachState(part, func(data []byte) []byte {
		if bytes.Contains(data, []byte(old)) {
			changed++
		}
		return bytes.ReplaceAll(data, []byte(old), []byte(new))
	})
	if changed == 0 {
		k.noState("no state file under %s holds %q", part, old)
	}
}

// eachState rewrites each file of the state whose path holds part, and
// fails the case when there is none.
func (k *kase) eachState(part string, f func([]byte) []byte) {
	k.t.Helper()
	n := 0
	err := filepath.WalkDir(k.state, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, part) {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		n++
		return os.WriteFile(p, f(data), 0o600)
	})
	if err != nil || n == 0 {
		k.noState("state files under %s: %d, %v", part, n, err)
	}
}

// noState fails a case whose mutation finds no state to damage: it would
// prove nothing. With no server (-local), where a compile may keep state
// of other kinds (a first compile reads no directory), it is skipped.
func (k *kase) noState(format string, args ...any) {
	k.t.Helper()
	if *localOnly {
		k.t.Skipf("-local: "+format, args...)
	}
	k.t.Fatalf(format, args...)
}
