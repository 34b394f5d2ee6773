package depscan

import "slices"

// gcc's directives-only mode, which the scan uses because it costs a third
// of a full preprocessing, fails where the compile would not: it refuses
// options that need macros expanded (-Wunused-macros), and gcc 12 stops
// with an internal error at a _Pragma("GCC diagnostic ...") written outside
// a macro. A scan that fails that way is run again as a plain -E, the
// reference, so that such a compile is still keyed and run remotely rather
// than always locally. A scan that fails for the compile's own reasons (a
// missing header) fails twice, which costs only compiles that fail.
const directivesOnlyFlag = "-fdirectives-only"

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
