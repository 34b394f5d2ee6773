package depscan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestParseRuleGolden parses testdata/NAME.d and compares with NAME.golden
// (one prerequisite per line).
func TestParseRuleGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.d")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden inputs: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			golden, err := os.ReadFile(strings.TrimSuffix(f, ".d") + ".golden")
			if err != nil {
				t.Fatal(err)
			}
			want := strings.Split(string(golden), "\n")
			want = want[:len(want)-1] // the final newline
			if len(golden) == 0 {
				want = []string{}
			}
			got, err := ParseRule(data)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseRule(%s) mismatch (-want +got):\n%s", f, diff)
			}
		})
	}
}

func TestParseRuleErrors(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"", ErrNoRule.Error()},
		{"\n\n# only a comment\n", ErrNoRule.Error()},
		{"a.o a.c\n", "depscan: line 1: missing ':' in rule"},
		{"a.o: a.c\nstray\n", "depscan: line 2: missing ':' in rule"},
		{": a.c\n", "depscan: line 1: rule without target"},
	}
	for _, tt := range tests {
		_, err := ParseRule([]byte(tt.in))
		if err == nil || err.Error() != tt.want {
			t.Errorf("ParseRule(%q) error = %v, want %q", tt.in, err, tt.want)
		}
	}
	if _, err := ParseRule(nil); !errors.Is(err, ErrNoRule) {
		t.Errorf("ParseRule(nil) = %v, want ErrNoRule", err)
	}
}

// TestParseRuleLong parses a rule of many thousand continuation lines, as
// a compile of a large translation unit prints.
func TestParseRuleLong(t *testing.T) {
	var b strings.Builder
	var want []string
	b.WriteString("obj/big.o: src/big.cc")
	want = append(want, "src/big.cc")
	for i := range 20000 {
		p := fmt.Sprintf("/usr/include/some/deep/directory/header_%05d.h", i)
		want = append(want, p)
		b.WriteString(" \\\n " + p)
	}
	b.WriteString("\n")
	got, err := ParseRule([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("long rule mismatch (-want +got):\n%s", diff)
	}
}

// quote writes a path as gcc does in a make rule.
func quote(p string) string {
	r := strings.NewReplacer("$", "$$", " ", `\ `, "#", `\#`)
	return r.Replace(p)
}

// FuzzParseRule checks that ParseRule never panics and that paths quoted
// as gcc quotes them come back unchanged.
func FuzzParseRule(f *testing.F) {
	f.Add([]byte("a.o: a.c h.h\n"), "x y$#z")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		ParseRule(data)
		if name == "" || name == "|" || strings.ContainsAny(name, "\\\n\r\t\v\f:") {
			return
		}
		rule := "t.o: a.c " + quote(name) + " \\\n " + quote(name) + "\n" + quote(name) + ":\n"
		got, err := ParseRule([]byte(rule))
		if err != nil {
			t.Fatalf("ParseRule(%q): %v", rule, err)
		}
		want := []string{"a.c", name}
		if name == "a.c" {
			want = want[:1]
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ParseRule(%q) mismatch (-want +got):\n%s", rule, diff)
		}
	})
}
