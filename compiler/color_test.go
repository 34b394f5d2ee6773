package compiler

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAskColor(t *testing.T) {
	for _, tt := range []struct {
		cmd       string
		hasOption bool
		asked     string // the option AskColor appends, "" for none
	}{
		{"gcc -c a.c", false, "-fdiagnostics-color=always"},
		{"g++ -c a.cc -g", false, "-fdiagnostics-color=always"},
		{"clang -c a.c", false, "-fcolor-diagnostics"},
		{"gcc -c a.c -fdiagnostics-color=never", true, ""},
		{"gcc -c a.c -fdiagnostics-color", true, ""},
		{"gcc -c a.c -fno-diagnostics-color", true, ""},
		{"clang -c a.c -fno-color-diagnostics", true, ""},
		{"clang -c a.c -fcolor-diagnostics", true, ""},
	} {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil || !inv.Remotable {
			t.Fatalf("Parse(%q): %v %s", tt.cmd, err, inv.Reason)
		}
		if got := inv.HasColorOption(); got != tt.hasOption {
			t.Errorf("%s: HasColorOption = %v, want %v", tt.cmd, got, tt.hasOption)
		}
		if tt.hasOption {
			continue
		}
		before := inv.RemoteArgs(func(p string) string { return p })
		want := before
		if tt.asked != "" {
			want = append(append([]string{}, before...), tt.asked)
		}
		if asked := inv.AskColor(); asked != tt.asked {
			t.Errorf("%s: AskColor = %q, want %q", tt.cmd, asked, tt.asked)
		}
		if diff := cmp.Diff(want, inv.RemoteArgs(func(p string) string { return p })); diff != "" {
			t.Errorf("%s: RemoteArgs (-want +got):\n%s", tt.cmd, diff)
		}
	}
}

// TestAskColorKeepsObject compiles with and without the option AskColor
// adds, with debug info, and checks that the objects are identical: the
// option must not reach DW_AT_producer.
func TestAskColorKeepsObject(t *testing.T) {
	for _, cc := range []string{"gcc", "clang"} {
		t.Run(cc, func(t *testing.T) {
			requireCompiler(t, cc)
			dir := newTree(t)
			argv := []string{cc, "-c", "src/a.c", "-g", "-O1", "-o", "obj/plain.o"}
			inv, err := Parse(argv, dir)
			if err != nil || !inv.Remotable {
				t.Fatalf("Parse: %v %s", err, inv.Reason)
			}
			run(t, dir, argv)
			if inv.AskColor() == "" {
				t.Fatal("AskColor declined")
			}
			colored := inv.RemoteArgs(func(p string) string {
				if p == "obj/plain.o" {
					return "obj/color.o"
				}
				return p
			})
			run(t, dir, colored)
			a, _ := os.ReadFile(filepath.Join(dir, "obj/plain.o"))
			b, _ := os.ReadFile(filepath.Join(dir, "obj/color.o"))
			if len(a) == 0 || !bytes.Equal(a, b) {
				t.Errorf("%q changes the object (%d vs %d bytes)", colored, len(a), len(b))
			}
		})
	}
}
