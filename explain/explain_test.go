package explain

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func key(action string, edit func(*Key)) Key {
	k := Key{
		Action:   action,
		Compiler: []string{"driver /usr/bin/gcc abc", "version 12.2.0"},
		Argv:     []string{"gcc", "-c", "a.c", "-o", "a.o"},
		Env:      map[string]string{"PATH": "/usr/bin"},
		Inputs:   map[string]string{"a.c": "aa/1", "/usr/include/stdio.h": "ss/2"},
	}
	if edit != nil {
		edit(&k)
	}
	return k
}

func TestCompare(t *testing.T) {
	base := key("1", nil)
	for name, tc := range map[string]struct {
		edit func(*Key)
		want []Difference
	}{
		"input content": {func(k *Key) { k.Inputs["a.c"] = "bb/1" },
			[]Difference{{Kind: "input", Name: "a.c", Old: "aa/1", New: "bb/1"}}},
		"new header": {func(k *Key) { k.Inputs["a.h"] = "hh/3" },
			[]Difference{{Kind: "input", Name: "a.h", New: "hh/3"}}},
		"argument": {func(k *Key) { k.Argv = []string{"gcc", "-O2", "-c", "a.c", "-o", "a.o"} },
			[]Difference{{Kind: "argument", New: "-O2"}}},
		"argument order": {func(k *Key) { k.Argv = []string{"gcc", "-c", "a.c", "a.o", "-o"} },
			[]Difference{{Kind: "argument", Old: "gcc -c a.c -o a.o", New: "gcc -c a.c a.o -o"}}},
		"environment": {func(k *Key) { k.Env["LC_ALL"] = "C" },
			[]Difference{{Kind: "environment", Name: "LC_ALL", New: "C"}}},
		"compiler": {func(k *Key) { k.Compiler[1] = "version 12.3.0" },
			[]Difference{{Kind: "compiler", Old: "version 12.2.0"}, {Kind: "compiler", New: "version 12.3.0"}}},
		"platform": {func(k *Key) { k.Platform = map[string]string{"OSFamily": "linux"} },
			[]Difference{{Kind: "platform", Name: "OSFamily", New: "linux"}}},
		"probe": {func(k *Key) { k.Probes = []string{"/usr/include/x.h"} },
			[]Difference{{Kind: "probe", New: "/usr/include/x.h"}}},
	} {
		got := Compare(base, key("2", tc.edit))
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
}

func TestClosest(t *testing.T) {
	now := key("3", func(k *Key) { k.Inputs["a.c"] = "cc/1" })
	far := key("1", func(k *Key) { k.Inputs["a.c"] = "xx/1"; k.Env["LANG"] = "C" })
	near := key("2", nil)
	best, diffs, ok := Closest(now, []Key{now, far, near})
	if !ok || best.Action != "2" || len(diffs) != 1 {
		t.Errorf("closest = %s with %v, want 2 with one difference", best.Action, diffs)
	}
}

// A record keeps at most keep keys, the latest first, and a compile under
// its last key writes only the run file.
func TestStoreBounded(t *testing.T) {
	s := NewStore(t.TempDir())
	out := "/b/a.o"
	for i := 0; i < keep+3; i++ {
		k := key(fmt.Sprint(i), nil)
		why, err := s.Save(Run{Output: out, Outcome: "remote_executions", Action: k.Action}, &k)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "new output", false: "unrecorded key fact changed"}[i == 0]; why != want {
			t.Errorf("save %d: miss reason %q, want %q", i, why, want)
		}
	}
	keys := s.Keys(out)
	if len(keys) != keep || keys[0].Action != fmt.Sprint(keep+2) {
		t.Fatalf("%d keys, first %s", len(keys), keys[0].Action)
	}
	st, _ := os.Stat(s.name(out, ".keys"))
	last := key(fmt.Sprint(keep+2), nil)
	s.Save(Run{Output: out, Outcome: "cache_hits", Action: last.Action}, &last)
	if st2, _ := os.Stat(s.name(out, ".keys")); !os.SameFile(st, st2) {
		t.Errorf("a hit under the last key rewrote the keys")
	}
	if r, _ := s.Last(out); !r.Seen || r.Outcome != "cache_hits" {
		t.Errorf("last run = %+v", r)
	}
}

func TestExplain(t *testing.T) {
	dir := t.TempDir()
	s := NewStore(dir)
	out := filepath.Join(dir, "a.o")
	if _, err := s.Explain(out); err == nil {
		t.Error("an output without a record explained")
	}
	k1 := key("1", nil)
	s.Save(Run{Output: out, Outcome: "remote_executions", Action: "1"}, &k1)
	k2 := key("2", func(k *Key) { k.Inputs["a.h"] = "hh/3" })
	s.Save(Run{Output: out, Outcome: "remote_executions", Action: "2"}, &k2)
	e, err := s.Explain(out)
	if err != nil || e.Earlier != "1" || len(e.Differences) != 1 || !strings.Contains(e.Differences[0].String(), "input a.h appeared") {
		t.Errorf("explanation = %+v, %v", e, err)
	}
	s.Save(Run{Output: out, Outcome: "local_runs", Reason: "-E"}, nil)
	if e, _ := s.Explain(out); !strings.Contains(e.Why, "-E") {
		t.Errorf("a local run explained as %q", e.Why)
	}
}

func TestMissReason(t *testing.T) {
	old := key("1", nil)
	for want, k := range map[string]Key{
		"new output":          key("2", nil),
		"input changed":       key("2", func(k *Key) { k.Inputs["a.c"] = "zz/1" }),
		"environment changed": key("2", func(k *Key) { k.Env["LANG"] = "C" }),
		"same key as before (result gone from the cache)": key("1", nil),
	} {
		earlier := []Key{old}
		if want == "new output" {
			earlier = nil
		}
		if got := MissReason(earlier, k); got != want {
			t.Errorf("MissReason = %q, want %q", got, want)
		}
	}
}

// Packing keeps every key's inputs exactly.
func TestPackUnpack(t *testing.T) {
	keys := []Key{
		key("3", func(k *Key) { k.Inputs["a.h"] = "hh/1" }),
		key("2", func(k *Key) { k.Inputs["a.c"] = "bb/1" }),
		key("1", nil),
	}
	if d := cmp.Diff(keys, unpack(pack(keys))); d != "" {
		t.Errorf("(-packed +unpacked):\n%s", d)
	}
	if n := len(pack(keys)[1].InputsDelta); n != 2 {
		t.Errorf("the second key's delta has %d entries, want 2 (a.c changed, a.h absent)", n)
	}
}

// A keys file an earlier rex wrote gzipped still reads, and a new one is
// plain JSON.
func TestKeysOldGzipRecord(t *testing.T) {
	keys := []Key{key("2", func(k *Key) { k.Inputs["a.c"] = "bb/1" }), key("1", nil)}
	b, err := json.Marshal(pack(keys))
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b)
	w.Close()
	old := filepath.Join(t.TempDir(), "old.keys")
	if err := os.WriteFile(old, z.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(keys, readKeys(old)); d != "" {
		t.Errorf("gzipped record (-want +got):\n%s", d)
	}
	plain := filepath.Join(t.TempDir(), "new.keys")
	if err := writeKeys(plain, keys); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(plain); !json.Valid(data) {
		t.Errorf("new record is not plain JSON: %.20q", data)
	}
	if d := cmp.Diff(keys, readKeys(plain)); d != "" {
		t.Errorf("plain record (-want +got):\n%s", d)
	}
	if err := os.WriteFile(plain, []byte{0x1f, 0x8b, 1, 2}, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := readKeys(plain); got != nil {
		t.Errorf("a damaged record read as %d keys", len(got))
	}
}

// SaveKey beside the compile, then SaveRun, records what Save does.
func TestSaveKeyAsyncIsSave(t *testing.T) {
	a, b := NewStore(t.TempDir()), NewStore(t.TempDir())
	k1 := Key{Action: "a1", Argv: []string{"gcc", "-c", "x.c"}, Inputs: map[string]string{"x.c": "d1"}}
	k2 := Key{Action: "a2", Argv: []string{"gcc", "-O2", "-c", "x.c"}, Inputs: map[string]string{"x.c": "d1"}}
	for i, k := range []Key{k1, k2, k2} {
		run := Run{Output: "/o/x.o", Outcome: "remote_executions", Action: k.Action}
		wantMiss, err := a.Save(run, &k)
		if err != nil {
			t.Fatal(err)
		}
		p := b.SaveKeyAsync(run.Output, &k)
		miss, seen, err := p.Wait()
		run.Seen = seen
		if err != nil || b.SaveRun(run) != nil {
			t.Fatal(err)
		}
		last, _ := a.Last(run.Output)
		got, _ := b.Last(run.Output)
		if miss != wantMiss || got.Seen != last.Seen || len(b.Keys(run.Output)) != len(a.Keys(run.Output)) {
			t.Errorf("compile %d: %q seen %v, %d keys; Save: %q seen %v, %d keys", i, miss, got.Seen,
				len(b.Keys(run.Output)), wantMiss, last.Seen, len(a.Keys(run.Output)))
		}
	}
}
