package wrapper

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/rexbuild/rex/depscan"
)

// The identifiers of an angled name handed to __has_include through a
// macro are expanded first (see checkExpansions). gcc's directives-only
// scan lists every macro it saw defined; clang's scan and a plain -E list
// none, and then the compile's files and arguments answer instead: such a
// name can only be a macro that a file #defines, a -D names, or the
// compiler predefines (see depscan.DefinesAny).

// orFiles returns defined, which answers when the scan listed the macros,
// or else what the files and arguments of the compile can tell.
func orFiles(defined macrosDefined, files []inputFile, args []string, cache *directiveCache) macrosDefined {
	return func(names []string) (map[string]bool, bool) {
		if defined != nil {
			if m, ok := defined(names); ok {
				return m, true
			}
		}
		m, err := filesDefine(files, names, args, cache)
		return m, err == nil
	}
}

// filesDefine says which of names may have been macros: a word of an
// argument, a name the compiler may predefine, or one a file #defines
// (not all of them: one is enough to keep the compile local).
func filesDefine(files []inputFile, names, args []string, cache *directiveCache) (map[string]bool, error) {
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	m := map[string]bool{}
	defs := macroDefinitions(args)
	for _, n := range names {
		if depscan.PredefinedWord(n) || slices.ContainsFunc(defs, func(d string) bool { return depscan.HasWord([]byte(d), n) }) {
			m[n] = true
		}
	}
	set := nameSetKey(names)
	for _, f := range files {
		key := "defines1:" + set + ":" + f.fn.Name() + ":" + f.sum.String()
		v, err := cache.entry(key, f.path, f.fn, f.sum, func(data []byte) string {
			return depscan.DefinesAny(data, names)
		})
		if err != nil {
			return nil, err
		}
		if v != "" {
			m[v] = true
		}
	}
	return m, nil
}

// macroDefinitions returns the arguments that may define macros, -Dh=1
// as "-D h=1" (h a word of its own): -D and --define-macro, joined or
// followed by their value, and what -Wp, -Xpreprocessor and -Xclang hand
// the preprocessor. A word of any other argument (the source's name
// a/h.c) is no token a directive sees.
func macroDefinitions(args []string) []string {
	var defs []string
	for i, a := range args {
		switch {
		case a == "-D" || a == "--define-macro" || a == "-Xpreprocessor" || a == "-Xclang":
			if i+1 < len(args) {
				defs = append(defs, strings.ReplaceAll(args[i+1], "-D", "-D "))
			}
		case strings.HasPrefix(a, "-D"), strings.HasPrefix(a, "--define-macro="), strings.HasPrefix(a, "-Wp,"):
			defs = append(defs, strings.ReplaceAll(a, "-D", "-D "))
		}
	}
	return defs
}

// nameSetKey names a sorted set of names in a directive cache key.
func nameSetKey(names []string) string {
	h := sha256.Sum256([]byte(strings.Join(names, " ")))
	return hex.EncodeToString(h[:8])
}
