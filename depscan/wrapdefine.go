package depscan

import (
	"bytes"
	"slices"
)

// A macro's body reaches __has_include with tokens its definition does not
// fix. A parameter is replaced by the argument of each expansion: in
// "#define HAVE(f) __has_include(<f.h>)", HAVE(stdio) probes <stdio.h>,
// not <f.h>, so only preprocessing can tell the probe.

// defineParams returns the parameters of the function-like macro that the
// #define directive ln (whose "define" ends at i) defines, "__VA_ARGS__"
// for "...", and the macro's name.
func defineParams(ln []byte, i int) (macro []byte, params []string) {
	i = skipBlanks(ln, i)
	j := identEnd(ln, i)
	macro = ln[i:j]
	if j == i || j >= len(ln) || ln[j] != '(' {
		return macro, nil
	}
	for k := j + 1; k < len(ln) && ln[k] != ')'; {
		k = skipBlanks(ln, k)
		switch l := identEnd(ln, k); {
		case l > k:
			params = append(params, string(ln[k:l]))
			k = l
		case bytes.HasPrefix(ln[k:], []byte("...")):
			params = append(params, "__VA_ARGS__")
			k += 3
		default:
			k++
		}
	}
	return macro, params
}

// paramInName returns the first identifier of the header name n that is
// one of params, or "".
func paramInName(n []byte, params []string) string {
	for _, id := range nameIdents(n) {
		if slices.Contains(params, id) {
			return id
		}
	}
	return ""
}
