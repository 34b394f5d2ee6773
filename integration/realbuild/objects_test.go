package realbuild

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rexbuild/rex/digest"
)

// object is one compiled object of a build: its content digest and mtime.
type object struct {
	d     digest.Digest
	mtime int64
}

// objects lists every object file (.o, .lo) under the build directory, by
// path relative to it, leaving out those in skip (present before the build,
// e.g. CMake's compiler identification).
func (tr *tree) objects(t *testing.T, skip map[string]object) map[string]object {
	t.Helper()
	dir := tr.buildDir()
	objs := map[string]object{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !(strings.HasSuffix(path, ".o") || strings.HasSuffix(path, ".lo")) {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if _, ok := skip[rel]; ok {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		d, err := digest.SHA256.FromFile(path)
		if err != nil {
			return err
		}
		objs[rel] = object{d: d, mtime: info.ModTime().UnixNano()}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// files lists every file under the source root by relative path: a rex
// build must leave exactly the files a local build leaves (no temporaries).
func (tr *tree) files(t *testing.T) map[string]bool {
	t.Helper()
	set := map[string]bool{}
	err := filepath.WalkDir(tr.root, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tr.root, path)
		set[rel] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// keepGolden copies the local build's objects aside, so that a differing
// object can be shown next to the one the local compiler made.
func keepGolden(t *testing.T, tr *tree, objs map[string]object) string {
	t.Helper()
	dir := t.TempDir()
	for rel := range objs {
		dst := filepath.Join(dir, rel)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		if out, err := exec.Command("cp", "-p", filepath.Join(tr.buildDir(), rel), dst).CombinedOutput(); err != nil {
			t.Fatalf("keep %s: %v %s", rel, err, out)
		}
	}
	return dir
}

// compareObjects reports every object that is missing, extra or different
// from the local build's, and returns how many are identical.
func compareObjects(t *testing.T, step string, tr *tree, golden string, want, got map[string]object) int {
	t.Helper()
	same := 0
	var bad []string
	for _, rel := range sortedKeys(want) {
		g, ok := got[rel]
		switch {
		case !ok:
			bad = append(bad, rel+": missing")
		case g.d != want[rel].d:
			bad = append(bad, rel+": "+describeDiff(filepath.Join(golden, rel), filepath.Join(tr.buildDir(), rel)))
		default:
			same++
		}
	}
	for _, rel := range sortedKeys(got) {
		if _, ok := want[rel]; !ok {
			bad = append(bad, rel+": not in the local build")
		}
	}
	if len(bad) > 0 {
		keep := saveDiffs(t, step, tr, golden, got)
		t.Errorf("%s: %s: %d of %d objects identical to the local build; differences (objects kept in %s):\n  %s",
			tr.p.name, step, same, len(want), keep, strings.Join(bad, "\n  "))
	}
	return same
}

// describeDiff says how two object files differ: sizes, the first differing
// byte, and strings found in one but not the other (paths show up there).
func describeDiff(local, remote string) string {
	a, errA := os.ReadFile(local)
	b, errB := os.ReadFile(remote)
	if errA != nil || errB != nil {
		return fmt.Sprintf("unreadable: %v %v", errA, errB)
	}
	first := 0
	for first < len(a) && first < len(b) && a[first] == b[first] {
		first++
	}
	msg := fmt.Sprintf("size local %d, rex %d, first difference at byte %d", len(a), len(b), first)
	onlyA, onlyB := stringsDiff(a, b)
	if len(onlyA)+len(onlyB) > 0 {
		msg += fmt.Sprintf("; strings only in local %q, only in rex %q", limit(onlyA, 4), limit(onlyB, 4))
	}
	return msg
}

// stringsDiff returns the printable runs (≥ 6 bytes) found in only one of a and b.
func stringsDiff(a, b []byte) (onlyA, onlyB []string) {
	sa, sb := printable(a), printable(b)
	for s := range sa {
		if !sb[s] {
			onlyA = append(onlyA, s)
		}
	}
	for s := range sb {
		if !sa[s] {
			onlyB = append(onlyB, s)
		}
	}
	sort.Strings(onlyA)
	sort.Strings(onlyB)
	return onlyA, onlyB
}

func printable(b []byte) map[string]bool {
	set := map[string]bool{}
	start := -1
	for i := 0; i <= len(b); i++ {
		if i < len(b) && b[i] >= 0x20 && b[i] < 0x7f {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start >= 6 {
			set[string(b[start:i])] = true
		}
		start = -1
	}
	return set
}

// saveDiffs keeps the rex build's objects and the local ones outside the
// test's temporary directories, for a look after the test.
func saveDiffs(t *testing.T, step string, tr *tree, golden string, got map[string]object) string {
	keep := filepath.Join(os.TempDir(), "rex-realbuild-diffs", tr.p.name, step)
	os.RemoveAll(keep)
	os.MkdirAll(keep, 0o755)
	exec.Command("cp", "-a", golden, filepath.Join(keep, "local")).Run()
	for rel := range got {
		dst := filepath.Join(keep, "rex", rel)
		os.MkdirAll(filepath.Dir(dst), 0o755)
		exec.Command("cp", "-p", filepath.Join(tr.buildDir(), rel), dst).Run()
	}
	return keep
}

// compareConfigOutputs checks that ./configure decided the same things
// with its probes compiled through rex as with the plain compiler.
func compareConfigOutputs(t *testing.T, local map[string][]byte, tr *tree) {
	t.Helper()
	for _, name := range tr.p.configOutputs {
		got, err := os.ReadFile(filepath.Join(tr.root, name))
		if err != nil {
			t.Errorf("%s: %v", tr.p.name, err)
			continue
		}
		if !bytes.Equal(bytes.ReplaceAll(got, []byte("rex "), nil), local[name]) {
			t.Errorf("%s: configure wrote a different %s through rex than with the plain compiler:\n%s",
				tr.p.name, name, lineDiff(string(local[name]), string(bytes.ReplaceAll(got, []byte("rex "), nil))))
		}
	}
}

func readConfigOutputs(t *testing.T, tr *tree) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, name := range tr.p.configOutputs {
		b, err := os.ReadFile(filepath.Join(tr.root, name))
		if err != nil {
			t.Fatal(err)
		}
		m[name] = b
	}
	return m
}

// lineDiff lists the lines only in a (-) and only in b (+).
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "- "+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+ "+l)
		}
	}
	return strings.Join(limit(out, 40), "\n")
}

func limit(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("... %d more", len(s)-n))
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
