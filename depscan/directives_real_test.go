package depscan

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// tuHeaders scans a C++ file that includes <iostream>, <string>, <vector>
// and <map> with the real g++ and returns the bytes of every listed file.
func tuHeaders(tb testing.TB) (files map[string][]byte, total int64) {
	tb.Helper()
	dir := tb.TempDir()
	writeFiles(tb, dir, map[string]string{
		"a.cc": "#include <iostream>\n#include <string>\n#include <vector>\n#include <map>\nint main() {}\n",
	})
	inv := parse(tb, dir, "g++", "-std=c++17", "-c", "a.cc")
	res, err := Scan(context.Background(), Request{Compiler: "/usr/bin/g++", Inv: inv, Dir: dir})
	if err != nil {
		tb.Fatal(err)
	}
	deps := res.Deps
	files = map[string][]byte{}
	for _, p := range deps {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		files[p] = data
		total += int64(len(data))
	}
	return files, total
}

// TestScanDirectivesSystemHeaders runs the scanner over the headers of a
// real C++ compile: libstdc++ probes <sys/single_threaded.h> with
// __has_include, which must be found; no system header reads a file.
func TestScanDirectivesSystemHeaders(t *testing.T) {
	files, total := tuHeaders(t)
	var all []Probe
	for p, data := range files {
		d := ScanDirectives(data)
		all = append(all, d.Probes...)
		if d.Reads != "" || d.Unknown != "" {
			t.Errorf("%s: %+v", p, d)
		}
	}
	t.Logf("%d files, %d bytes, probes %v", len(files), total, all)
	if !slices.Contains(all, angle("sys/single_threaded.h")) {
		t.Errorf("no probe of <sys/single_threaded.h> among %v", all)
	}
}

// TestHasIncludeNotListed records what the scan makes of __has_include:
// gcc reads neither a header found through the probe nor one not found, so
// no line marker names them; clang 14's -M (its scan without a dependency
// file) lists the one it found. An absent header is no dependency either
// way, which is why the probes must be keyed separately.
func TestHasIncludeNotListed(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.c":         "#if __has_include(\"probe.h\") && !__has_include(<absent.h>)\nint a;\n#endif\n",
		"inc/probe.h": "\n",
	})
	for cc, listsFound := range map[string]bool{"gcc": false, "clang": true} {
		if _, err := exec.LookPath(cc); err != nil && cc != "gcc" {
			t.Logf("%s not installed", cc)
			continue
		}
		deps, err := scan(t, parse(t, dir, cc, "-Iinc", "-c", "a.c"), dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(deps, "inc/probe.h"); got != listsFound {
			t.Errorf("%s scan lists the probed header: %v, want %v (%q)", cc, got, listsFound, deps)
		}
		if slices.ContainsFunc(deps, func(p string) bool { return p == "absent.h" }) {
			t.Errorf("%s scan lists an absent header: %q", cc, deps)
		}
	}
}
