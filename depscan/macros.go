package depscan

import (
	"bytes"
	"context"
	"errors"
)

// The identifiers of an angled name that a macro hands to __has_include
// are expanded first: the compiler probes the name their expansion makes
// (see wrappers.go). Which of them were macros only the compile's
// preprocessing can tell, for any target and mode: every scan's output
// lists each definition it carried out (-dD: the built-in ones, -D's,
// -imacros' and the files'), but a make rule's, which the compiler is run
// once more for, only when a probe needs the answer. A fixed list of the
// words compilers predefine was once the guess where no scan listed them:
// clang --target=x86_64-w64-mingw32 predefines WIN32, which it lacked.

// Defined reports which of names the compile's preprocessing saw defined
// as macros, anywhere: built in, on the command line, or in a file, even
// when undefined later. It reads the #define lines of the scan's output
// (-dD); for a scan that read a make rule, it preprocesses the source once
// more (see compiler.MacroArgs) and keeps that output. It fails after
// Close, or when that preprocessing fails.
func (r *Result) Defined(ctx context.Context, names []string) (map[string]bool, error) {
	if r.defs == nil && r.byRule != nil {
		req := *r.byRule
		req.Lookups = nil // the scan's own run told them
		r.byRule = nil
		out, _, err := run(ctx, req, req.Inv.MacroArgs())
		if err != nil {
			return nil, err
		}
		if err := out.read(); err != nil {
			out.Close()
			return nil, err
		}
		r.defs = &out
	}
	if r.defs == nil {
		return nil, errors.New("depscan: the scan lists no macros")
	}
	return definedIn(r.defs.mapped, names), nil
}

// definedIn returns which of names a #define of out defines. -dD prints
// each at a line's start, but directives-only mode passes a file's own on
// after what stood before it on its line (blanks, "/* c */"), so any
// "#define" counts, after blanks, wherever it stands: one in a string or a
// comment can only keep a compile local.
func definedIn(out []byte, names []string) map[string]bool {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	defined := map[string]bool{}
	const def = "define"
	for off := 0; ; {
		i := bytes.Index(out[off:], []byte(def))
		if i < 0 {
			return defined
		}
		at := off + i + len(def)
		off = at
		before := bytes.TrimRight(out[:at-len(def)], " \t")
		if len(before) == 0 || before[len(before)-1] != '#' && !bytes.HasSuffix(before, []byte("%:")) {
			continue
		}
		start := at
		for start < len(out) && (out[start] == ' ' || out[start] == '\t') {
			start++
		}
		if start == at {
			continue // "#defined", not a directive
		}
		end := start
		for end < len(out) && isIdent(out[end]) {
			end++
		}
		if n := string(out[start:end]); want[n] {
			defined[n] = true
		}
	}
}
