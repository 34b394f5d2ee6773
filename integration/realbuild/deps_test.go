package realbuild

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deps returns, for each object, the files the build's own dependency
// records say it depends on (absolute, cleaned): Ninja's deps log, or the
// compiler-written .d files next to the objects of a CMake Makefiles build.
// It returns nil for builds that keep no records (zlib's Makefile lists its
// header dependencies by hand).
func (tr *tree) deps(t *testing.T) map[string]map[string]bool {
	t.Helper()
	switch tr.p.generator {
	case "Ninja":
		return tr.ninjaDeps(t)
	case "Unix Makefiles":
		return tr.depFiles(t)
	}
	return nil
}

func (tr *tree) ninjaDeps(t *testing.T) map[string]map[string]bool {
	t.Helper()
	cmd := exec.Command("ninja", "-C", tr.buildDir(), "-t", "deps")
	cmd.Env = tr.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ninja -t deps: %v", err)
	}
	all := map[string]map[string]bool{}
	var cur map[string]bool
	for _, line := range strings.Split(string(out), "\n") {
		switch {
		case strings.TrimSpace(line) == "":
		case !strings.HasPrefix(line, " ") && strings.Contains(line, ": #deps"):
			obj, _, _ := strings.Cut(line, ": #deps")
			cur = map[string]bool{}
			all[obj] = cur
		case cur != nil:
			cur[tr.resolve(strings.TrimSpace(line))] = true
		}
	}
	return all
}

func (tr *tree) depFiles(t *testing.T) map[string]map[string]bool {
	t.Helper()
	all := map[string]map[string]bool{}
	dir := tr.buildDir()
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".o.d") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, strings.TrimSuffix(path, ".d"))
		set := map[string]bool{}
		for _, p := range ruleDeps(string(data)) {
			set[tr.resolve(p)] = true
		}
		all[rel] = set
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// ruleDeps returns the prerequisites of the first rule of a make-style
// dependency file (the form gcc writes for -MD; the corpus paths hold no
// spaces, so escaped spaces need no care here).
func ruleDeps(data string) []string {
	data = strings.ReplaceAll(data, "\\\n", " ")
	first, _, _ := strings.Cut(data, "\n")
	_, prereqs, ok := strings.Cut(first, ": ")
	if !ok {
		return nil
	}
	return strings.Fields(prereqs)
}

// resolve makes a dependency path absolute; relative ones are relative to
// the build directory, where both generators run the compiles of these
// projects.
func (tr *tree) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(tr.buildDir(), p)
}

// includers returns the objects whose dependency records name header.
func includers(deps map[string]map[string]bool, header string) map[string]bool {
	set := map[string]bool{}
	for obj, files := range deps {
		if files[header] {
			set[obj] = true
		}
	}
	return set
}

// compareDeps reports objects whose dependency records differ between the
// local build and the rex build of the same tree: a dep file rex writes must
// make the build tool rebuild exactly what the local one would.
func compareDeps(t *testing.T, tr *tree, local, got map[string]map[string]bool) int {
	t.Helper()
	same := 0
	var bad []string
	for _, obj := range sortedKeys(local) {
		g, ok := got[obj]
		if !ok {
			bad = append(bad, obj+": no dependency record")
			continue
		}
		var missing, extra []string
		for f := range local[obj] {
			if !g[f] {
				missing = append(missing, f)
			}
		}
		for f := range g {
			if !local[obj][f] {
				extra = append(extra, f)
			}
		}
		if len(missing)+len(extra) == 0 {
			same++
			continue
		}
		bad = append(bad, obj+": missing "+strings.Join(limit(missing, 3), " ")+"; extra "+strings.Join(limit(extra, 3), " "))
	}
	if len(bad) > 0 {
		t.Errorf("%s: %d of %d dependency records match the local build's:\n  %s",
			tr.p.name, same, len(local), strings.Join(limit(bad, 20), "\n  "))
	}
	return same
}
