package compiler

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// outputCases are compiled by the real gcc and clang to check that Outputs
// names exactly the files each compiler writes. ABS stands for the absolute
// path of the working directory.
var outputCases = []string{
	"-c src/a.c",
	"-c src/a.c -o obj/x.o -MD",
	"-c src/a.c -o obj/x.obj -MMD -MP",
	"-c src/a.c -o o.dir/x -MD",
	"-c src/a.c -o obj/x.y.o -MD -MF obj/dep.mk -ftest-coverage -fstack-usage",
	"-c src/a.c -o obj/x.o -gsplit-dwarf",
	"-c src/a.c -o obj/x.o -g -gsplit-dwarf",
	"-c src/a.c -o obj/x.o -gz -gcolumn-info -gsplit-dwarf",
	"-c src/a.c -o obj/x.o -g -g0 -gsplit-dwarf",
	"-c src/a.c -o obj/x.o -g -gsplit-dwarf -gno-split-dwarf",
	"-c src/a.c -o ABS/obj/x.o -ftest-coverage -g -gsplit-dwarf -MD",
	"-c src/a.c -o obj/x.o -Wp,-MD,obj/wp.d",
	"-c ABS/src/a.c -ftest-coverage -MMD -fstack-usage",
	"-c src/a.c -o obj/x.o -MD -MT custom",
	"-c src/a.c -o obj/d$x#.o -MMD",
}

func requireCompiler(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if name == "gcc" {
			t.Fatalf("gcc not found: %v", err)
		}
		t.Skipf("%s not installed", name)
	}
}

// newTree makes a small project: src/a.c including src/h.h, and the output
// directories the cases use.
func newTree(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"src/a.c": "#include \"h.h\"\nint f(void) { return X; }\n",
		"src/h.h": "#define X 1\n",
	}
	for _, d := range []string{"src", "obj", "o.dir"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func listFiles(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files := map[string]bool{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files[rel] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func run(t *testing.T, dir string, argv []string) []byte {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%q: %v\n%s", argv, err, stderr.Bytes())
	}
	return out
}

func TestOutputsMatchRealCompilers(t *testing.T) {
	for _, cc := range []string{"gcc", "clang"} {
		for _, c := range outputCases {
			t.Run(cc+" "+c, func(t *testing.T) {
				requireCompiler(t, cc)
				t.Parallel()
				checkOutputs(t, cc, c)
			})
		}
	}
}

func checkOutputs(t *testing.T, cc, args string) {
	dir := newTree(t)
	argv := append([]string{cc}, strings.Fields(strings.ReplaceAll(args, "ABS", dir))...)
	inv, err := Parse(argv, dir)
	if err != nil || !inv.Remotable {
		t.Fatalf("Parse: %v, not remotable: %s", err, inv.Reason)
	}
	before := listFiles(t, dir)
	run(t, dir, argv)
	var got []string
	for f := range listFiles(t, dir) {
		if !before[f] {
			got = append(got, f)
		}
	}
	var want []string
	for _, o := range inv.Outputs {
		if filepath.IsAbs(o) {
			o, _ = filepath.Rel(dir, o)
		}
		want = append(want, filepath.Clean(o))
	}
	sort.Strings(got)
	sort.Strings(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%q: Outputs mismatch (-Outputs +written):\n%s", argv, diff)
	}
	checkDepsArgs(t, dir, inv)
	if inv.HasDepFile() {
		checkDepTarget(t, dir, inv)
	}
}

// checkDepsArgs runs the scan command: it must print a rule naming the
// header and write no file.
func checkDepsArgs(t *testing.T, dir string, inv *Invocation) {
	before := listFiles(t, dir)
	out := run(t, dir, inv.DepsArgs())
	if !strings.Contains(string(out), "h.h") {
		t.Errorf("DepsArgs output lacks h.h: %s", out)
	}
	if diff := cmp.Diff(before, listFiles(t, dir)); diff != "" {
		t.Errorf("DepsArgs wrote files (-before +after):\n%s", diff)
	}
}

// checkDepTarget compiles with RemoteArgs in a second tree, with absolute
// paths made relative: it must write the remote outputs and no dependency
// file. Then ScanArgs, run in the first tree, must write a dependency file
// byte-identical to the one the local compile wrote.
func checkDepTarget(t *testing.T, dir string, inv *Invocation) {
	remote := newTree(t)
	rewrite := func(p string) string {
		if rel, err := filepath.Rel(dir, p); err == nil && filepath.IsAbs(p) {
			return rel
		}
		return p
	}
	run(t, remote, inv.RemoteArgs(rewrite))
	if _, err := os.Stat(under(remote, rewrite(inv.DepFile))); err == nil {
		t.Errorf("RemoteArgs wrote the dependency file %s", inv.DepFile)
	}
	local, err := os.ReadFile(under(dir, inv.DepFile))
	if err != nil {
		t.Fatal(err)
	}
	// Not t.TempDir: the test's name has commas, and -Wp splits on them.
	tmp, err := os.MkdirTemp("", "rex-scan-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	scanned := filepath.Join(tmp, "scan.d")
	run(t, dir, append(inv.ScanArgs(scanned), "-o", "/dev/null"))
	got, err := os.ReadFile(scanned)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(local) {
		t.Errorf("ScanArgs dependency file differs:\nscan:\n%s\nlocal:\n%s", got, local)
	}
}

func under(dir, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}

// TestAssemblerWithCppRemotely: a .S source with -g and absolute paths,
// compiled as the remote command would be (another directory, the root
// mapped with prefix maps), gives the local object: gcc passes the maps to
// the assembler.
func TestAssemblerWithCppRemotely(t *testing.T) {
	requireCompiler(t, "gcc")
	local, remote := t.TempDir(), t.TempDir()
	for _, d := range []string{local, remote} {
		os.MkdirAll(filepath.Join(d, "inc"), 0o755)
		os.WriteFile(filepath.Join(d, "inc", "v.h"), []byte("#define V 7\n"), 0o644)
		os.WriteFile(filepath.Join(d, "a.S"), []byte("#include \"v.h\"\n.text\n.globl f\nf:\n\tmovl $V, %eax\n\tret\n"), 0o644)
	}
	argv := func(d string, extra ...string) []string {
		return append([]string{"gcc", "-g", "-Wa,-mtune=generic32", "-I" + d + "/inc", "-c", d + "/a.S", "-o", "a.o"}, extra...)
	}
	inv, err := Parse(argv(local), local)
	if err != nil || !inv.Remotable {
		t.Fatalf("Parse: %v, not remotable: %s", err, inv.Reason)
	}
	run(t, local, argv(local))
	m := remote + "=" + local
	run(t, remote, append([]string{"gcc", "-fdebug-prefix-map=" + m, "-fmacro-prefix-map=" + m}, argv(remote)[1:]...))
	a, _ := os.ReadFile(filepath.Join(local, "a.o"))
	b, _ := os.ReadFile(filepath.Join(remote, "a.o"))
	if len(a) == 0 || string(a) != string(b) {
		t.Errorf("the .S object compiled elsewhere with the root mapped differs (%d vs %d bytes)", len(a), len(b))
	}
}
