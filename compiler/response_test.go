package compiler

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSplitResponse(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"  \n\t ", nil},
		{"-c a.c", []string{"-c", "a.c"}},
		{"-DA=1\n-D\"B=2 3\" -D'C=4 5'", []string{"-DA=1", "-DB=2 3", "-DC=4 5"}},
		{`-DE=x\ y -DF=h\\i -DG="j\"k" -DH='q"r'`, []string{"-DE=x y", `-DF=h\i`, `-DG=j"k`, `-DH=q"r`}},
		{`-DI='' "" x`, []string{"-DI=", "", "x"}},
		{"a\r\nb", []string{"a", "b"}},
		{`trailing\`, []string{`trailing\`}},
		{`"unterminated x`, []string{"unterminated x"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, SplitResponse(tt.in)); diff != "" {
			t.Errorf("SplitResponse(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestResponseFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("outer.rsp", "-c 'src/a b.c' @inner.rsp @missing.rsp")
	write("inner.rsp", "-o obj/x.o -DX=\"1 2\"")
	inv, err := Parse([]string{"gcc", "@outer.rsp", "-O2"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"gcc", "-c", "src/a b.c", "-o", "obj/x.o", "-DX=1 2", "@missing.rsp", "-O2"}
	if diff := cmp.Diff(want, inv.Args); diff != "" {
		t.Errorf("Args mismatch (-want +got):\n%s", diff)
	}
	// A missing response file is an input named "@missing.rsp", as for gcc.
	if inv.Remotable || inv.Reason != "unsupported input @missing.rsp" {
		t.Errorf("Remotable=%v Reason=%q", inv.Remotable, inv.Reason)
	}

	write("loop.rsp", "-c @loop.rsp")
	if _, err := Parse([]string{"gcc", "@loop.rsp"}, dir); err == nil {
		t.Error("Parse of a self-including response file: no error")
	}
}
