package depscan

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestScanDirectivesGolden")

// format writes Directives one finding a line, as the golden files hold them.
func (d Directives) format() string {
	var b strings.Builder
	for _, p := range d.Probes {
		op, name := "__has_include", `"`+p.Name+`"`
		if p.Next {
			op += "_next"
		}
		if p.Angle {
			name = "<" + p.Name + ">"
		}
		fmt.Fprintf(&b, "probe %s %s\n", op, name)
	}
	for _, w := range d.Wrappers {
		op := "__has_include"
		if w.Next {
			op += "_next"
		}
		fmt.Fprintf(&b, "wrapper %s of %s\n", w.Macro, op)
	}
	for _, f := range [][2]string{{"unknown", d.Unknown}, {"reads", d.Reads}, {"clock", d.Clock}} {
		if f[1] != "" {
			fmt.Fprintf(&b, "%s %s\n", f[0], f[1])
		}
	}
	return b.String()
}

// TestScanDirectivesGolden scans each file of testdata/directives and
// compares with NAME.golden (go test -run Golden -update rewrites them).
func TestScanDirectivesGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/directives/*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			got := ScanDirectives(data).format()
			if *update {
				if err := os.WriteFile(f+".golden", []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(f + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", f, diff)
			}
		})
	}
	if n == 0 {
		t.Fatal("no golden inputs")
	}
}
