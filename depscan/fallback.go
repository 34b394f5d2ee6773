package depscan

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/rexbuild/rex/lookups"
)

// gcc's directives-only mode, which the scan uses because it costs a third
// of a full preprocessing, fails where the compile would not: it refuses
// options that need macros expanded (-Wunused-macros), and gcc 12 stops
// with an internal error at a _Pragma("GCC diagnostic ...") written outside
// a macro. A scan that fails that way is run again as a plain -E, the
// reference, so that such a compile is still keyed and run remotely rather
// than always locally. A scan that fails for the compile's own reasons (a
// missing header) fails twice, which costs only compiles that fail.
const directivesOnlyFlag = "-fdirectives-only"

// Nor does directives-only mode carry out every directive the compile
// does: it passes "%:include" (the digraph of '#') and, with trigraphs on
// (-trigraphs, or a strict -std such as c11), "??=include" on as text, and
// the file they include is neither entered nor listed. Its output then
// holds them where a directive starts, and the scan runs as a plain -E.
// Nor does it expand text, so a _Pragma("pop_macro(...)") there, or in a
// macro, leaves a macro as it was, and an #if after it may include another
// file than the compile does: an output that names pop_macro other than in
// a #pragma directive (which the mode carries out) is scanned again too,
// and so is one that names push_macro there: "#pragma pop_macro" after it
// finds nothing pushed.
// Nor does it skip a null character before a directive's '#' or "%:", as
// the compile does (with a warning): an output holding one is scanned
// again, whatever follows it, since sources hold none but by mistake.

// preprocessed is what preprocess leaves open: the output of an -E scan,
// which lists the macros (nil for a make rule's), and whether gcc's
// directives-only mode made it.
type preprocessed struct {
	out            *output
	directivesOnly bool
	// lookups are those of the run whose files the scan took.
	lookups lookups.Log
}

// preprocess runs the scan's preprocessing and reads the files its output
// names, running it again as a plain -E where directives-only mode failed
// or passed a directive on unread.
// The output of an -E scan is kept open for Result.Defined.
func preprocess(ctx context.Context, req Request, args []string, byRule bool) (files []string, stderr []byte, pre preprocessed, err error) {
	out, stderr, err := run(ctx, req, args)
	retry := directivesOnly(args) && ctx.Err() == nil
	if err != nil && retry {
		args = withoutDirectivesOnly(args)
		out, stderr, err = run(ctx, req, args)
	}
	if err != nil {
		return nil, nil, pre, err
	}
	files, unread, err := out.files(byRule)
	pre.lookups = out.lookups
	if err != nil || byRule || unread && directivesOnly(args) {
		out.Close()
	} else {
		pre.out, pre.directivesOnly = &out, directivesOnly(args)
	}
	if err == nil && unread && directivesOnly(args) {
		return preprocess(ctx, req, withoutDirectivesOnly(args), byRule)
	}
	if err != nil {
		return nil, nil, pre, fmt.Errorf("depscan: output of %s: %w", args[0], err)
	}
	return files, stderr, pre, nil
}

// unreadDirective reports whether preprocessed output holds "%:" or "??="
// where a directive may start, pop_macro or push_macro outside a #pragma
// directive, or a null character: what directives-only mode passes on
// without carrying it out (in a plain -E's output, only text that is not
// one, which costs only the retry).
func unreadDirective(out []byte) bool {
	_, unread := readOutputFacts(out, sweepChunk)
	return unread
}

// unreadReader looks for the unread directives of one output, a stretch at
// a time.
type unreadReader struct {
	digraph, trigraph, pop, push, split, null int // where each search goes on
	found                                     bool
}

// upTo looks at the spellings that start before hi.
func (u *unreadReader) upTo(out []byte, hi int) {
	if u.found {
		return
	}
	u.found = bytes.IndexByte(out[u.null:hi], 0) >= 0 ||
		spellingUpTo(out, &u.digraph, hi, "%:") || spellingUpTo(out, &u.trigraph, hi, "??=") ||
		macroUpTo(out, &u.pop, hi, "pop_macro") || macroUpTo(out, &u.push, hi, "push_macro") ||
		splitMacroUpTo(out, &u.split, hi)
	u.null = hi
}

// splitMacroUpTo reports whether a continuation (a backslash, blanks and a
// newline) that starts before hi, from *from on, splits pop_macro or
// push_macro. Directives-only mode passes text on with its continuations,
// so a _Pragma("pop_ma\<newline>cro(...)"), which the compile joins and
// carries out, reads as neither word. Such a split counts wherever it
// stands, in a #pragma directive too: it costs only the retry.
func splitMacroUpTo(out []byte, from *int, hi int) bool {
	for *from < hi {
		i := bytes.IndexByte(out[*from:hi], '\\')
		if i < 0 {
			*from = hi
			return false
		}
		at := *from + i
		*from = at + 1
		if spliceLen(out[at:]) == 0 {
			continue
		}
		if splitsWord(out, at, "pop_macro") || splitsWord(out, at, "push_macro") {
			return true
		}
	}
	return false
}

// splitsWord reports whether the continuation at out[at] falls inside
// word: the bytes before it are a start of word, and the rest follows, past
// any further continuations. The first continuation inside a word has only
// the word's own bytes before it.
func splitsWord(out []byte, at int, word string) bool {
	for k := 1; k < len(word) && k <= at; k++ {
		if string(out[at-k:at]) == word[:k] && joinedHasPrefix(out[at:], word[k:]) {
			return true
		}
	}
	return false
}

// joinedHasPrefix reports whether b, its continuations removed, starts
// with prefix.
func joinedHasPrefix(b []byte, prefix string) bool {
	for i := 0; prefix != ""; {
		if i < len(b) && b[i] == '\\' {
			if n := spliceLen(b[i:]); n > 0 {
				i += n
				continue
			}
		}
		if i >= len(b) || b[i] != prefix[0] {
			return false
		}
		i, prefix = i+1, prefix[1:]
	}
	return true
}

// macroUpTo reports whether word, starting before hi, from *from on,
// stands outside a #pragma directive.
func macroUpTo(out []byte, from *int, hi int, word string) bool {
	for {
		j := indexMacroWord(out[*from:min(hi+len(word)-1, len(out))], word)
		if j < 0 {
			*from = max(*from, hi)
			return false
		}
		at := *from + j
		*from = at + len(word)
		if !inPragmaDirective(out, at) {
			return true
		}
	}
}

// spellingUpTo reports whether a spelling of '#' that starts before hi,
// from *from on, stands where a directive starts.
func spellingUpTo(out []byte, from *int, hi int, spelling string) bool {
	for {
		j := bytes.Index(out[*from:min(hi+len(spelling)-1, len(out))], []byte(spelling))
		if j < 0 {
			*from = max(*from, hi)
			return false
		}
		at := *from + j
		*from = at + len(spelling)
		if atDirectiveStart(out, at) {
			return true
		}
	}
}

// inPragmaDirective reports whether out[at] is on a line that is a
// #pragma directive: one that begins with "#pragma" and is no
// continuation of the line before (a string's: "\", newline, "#pragma";
// _Pragma("push_macro(...)") after it is code), with no comment ending
// before out[at] ("/*", newline, "#pragma */ _Pragma(...)").
func inPragmaDirective(out []byte, at int) bool {
	start := bytes.LastIndexByte(out[:at], '\n') + 1
	if start > 0 && continued(out, start-1) {
		return false
	}
	ln := out[start:at]
	if bytes.Contains(ln, []byte("*/")) {
		return false
	}
	ln = bytes.TrimLeft(ln, " \t\f\v")
	if !bytes.HasPrefix(ln, []byte("#")) {
		return false
	}
	return bytes.HasPrefix(bytes.TrimLeft(ln[1:], " \t\f\v"), []byte("pragma"))
}

// directivesOnly reports whether the scan's arguments ask for gcc's
// directives-only preprocessing.
func directivesOnly(args []string) bool {
	return slices.Contains(args[1:], directivesOnlyFlag)
}

// withoutDirectivesOnly returns args without the directives-only flag.
func withoutDirectivesOnly(args []string) []string {
	out := make([]string, 0, len(args))
	out = append(out, args[0])
	for _, a := range args[1:] {
		if a != directivesOnlyFlag {
			out = append(out, a)
		}
	}
	return out
}
