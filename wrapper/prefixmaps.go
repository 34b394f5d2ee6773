package wrapper

import "strings"

// Prefix maps and the worker's root. gcc applies, of the maps that match a
// path, the last one given; clang up to 16 the longest prefix, and of two
// maps of one prefix the first. Locally the two rules mostly agree, since
// users map one directory per kind. On the worker, rex's marking gives R
// as the prefix of every map of the root or of a directory above it, and
// its own map of R back to the local root has that prefix too: one
// argument list must then answer as both rules do.

// coveringMap reports whether a prefix map the user passed maps the root
// (or a directory above it) in both debug info and macros.
func coveringMap(args []string) bool {
	debug, macro := coveredKinds(args)
	return debug && macro
}

// coveredKinds reports which kinds of path, debug info's and macros', a
// prefix map the user passed maps at the root.
func coveredKinds(args []string) (debug, macro bool) {
	for _, a := range args {
		for _, flag := range prefixMapFlags {
			if rest, ok := strings.CutPrefix(a, flag); ok && strings.HasPrefix(rest, rootMarker) {
				// "R/" maps every file but not the compile directory, R
				// itself, which debug info records.
				old, _, _ := strings.Cut(rest, "=")
				debug = debug || old == rootMarker && flag != "-fmacro-prefix-map="
				macro = macro || (old == rootMarker || old == rootMarker+"/") && flag != "-fdebug-prefix-map="
			}
		}
	}
	return debug, macro
}

// rootMaps puts first a map of R back to the local root for each kind of
// path that no map of the user's covers, and for no other: under clang,
// where the first of two maps of R wins, one of rex's beside the user's
// would override it. Separate maps, as gcc lets -ffile-prefix-map win over
// any -fmacro-prefix-map wherever it stands.
func rootMaps(args []string, l layout) []string {
	debug, macro := coveredKinds(args)
	m := rootMarker + "=" + l.rootText()
	out := []string{args[0]}
	if !debug {
		out = append(out, "-fdebug-prefix-map="+m)
	}
	if !macro {
		out = append(out, "-fmacro-prefix-map="+m)
	}
	return append(out, args[1:]...)
}

// rivalMaps returns a map the user passed that, of one kind with another,
// maps a different prefix locally but R on the worker (a directory above
// the root, and the root or another directory above it), or "". Which of
// the two applies locally depends on the compiler's rule, and on the
// worker no order of the two answers as both rules do.
func rivalMaps(args []string, l layout) string {
	seen := map[string]string{} // kind → the prefix that maps R
	for _, a := range args[1:] {
		for _, flag := range prefixMapFlags {
			rest, ok := strings.CutPrefix(a, flag)
			if !ok {
				continue
			}
			old, _, ok := strings.Cut(rest, "=")
			if _, above := l.belowMapped(old); !ok || !above && l.markArg(old) != rootMarker {
				continue
			}
			for _, kind := range []string{"-fdebug-prefix-map=", "-fmacro-prefix-map="} {
				if flag != kind && flag != "-ffile-prefix-map=" {
					continue
				}
				if prev, ok := seen[kind]; ok && prev != old {
					return a
				}
				seen[kind] = old
			}
		}
	}
	return ""
}

// emptyCompileDir returns a map the user passed that turns the compile
// directory into nothing, or "". gcc then names no directory in the line
// table, and the assembler writes the one it runs in: on a worker, the
// worker's, which no map of rex's reaches.
func emptyCompileDir(args []string, l layout) string {
	dir := rootMarker
	if l.workDir != "" {
		dir += "/" + l.workDir
	}
	for _, a := range args[1:] {
		for _, flag := range []string{"-ffile-prefix-map=", "-fdebug-prefix-map="} {
			rest, ok := strings.CutPrefix(a, flag)
			if !ok {
				continue
			}
			if old, new, ok := strings.Cut(rest, "="); ok && new == "" && l.markArg(old) == dir {
				return a
			}
		}
	}
	return ""
}
