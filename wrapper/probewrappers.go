package wrapper

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"

	"github.com/rexbuild/rex/depscan"
)

// A probe wrapper (fmt's FMT_HAS_INCLUDE, see depscan/wrappers.go) is
// defined in one file and used in others: once a compile's files are
// known, every file is read for uses of the wrappers any of them defines,
// and each use is a probe like a literal __has_include. A use whose name
// depends on a macro keeps the compile local.

// macrosDefined says which of names the compile's preprocessing saw
// defined as macros (see depscan.Result.Defined), or why it cannot tell.
type macrosDefined func(names []string) (defined map[string]bool, err error)

// wrapperProbe is a wrapper's use as a probe from the file read.
type wrapperProbe struct {
	depscan.Probe
	read string
}

// wrapperUses is what a file holds of uses, as the directive cache keeps
// it.
type wrapperUses struct {
	Uses    []depscan.WrapperUse `json:",omitempty"`
	Unknown string               `json:",omitempty"`
}

// wrapperProbes returns the probes of every use of wrappers in files, or a
// local error.
// args, the compile's arguments, may use a wrapper in a -D, which no file
// shows, or hold a piece of its name for a paste.
func wrapperProbes(files []inputFile, wrappers map[string]depscan.Wrapper, args []string, cache *directiveCache, defined macrosDefined) ([]wrapperProbe, error) {
	for _, a := range args {
		for n := range wrappers {
			if depscan.HasWord([]byte(a), n) {
				return nil, localf("the argument %s names the __has_include wrapper %s", a, n)
			}
		}
	}
	for _, d := range macroDefinitions(args) {
		if piece := depscan.PastePiece(d, wrappers); piece != "" {
			return nil, localf("the definition %s holds %s", d, piece)
		}
	}
	names := make([]string, 0, len(wrappers))
	for n, w := range wrappers {
		if w.Next {
			n += "+next"
		}
		names = append(names, n)
	}
	slices.Sort(names)
	set := nameSetKey(names)
	var probes []wrapperProbe
	var idents []string
	for _, f := range files {
		key := "wrapuse3:" + set + ":" + f.fn.Name() + ":" + f.sum.String()
		v, err := cache.entry(key, f.path, f.fn, f.sum, func(data []byte) string {
			var u wrapperUses
			u.Uses, u.Unknown = depscan.WrapperUses(data, wrappers)
			js, _ := json.Marshal(u)
			return string(js)
		})
		if err != nil {
			return nil, err
		}
		var u wrapperUses
		if err := json.Unmarshal([]byte(v), &u); err != nil {
			return nil, localf("%s: the uses of __has_include wrappers: %v", f.path, err)
		}
		if u.Unknown != "" {
			return nil, localf("%s: %s", f.path, u.Unknown)
		}
		for _, use := range u.Uses {
			probes = append(probes, wrapperProbe{use.Probe, f.path})
			idents = append(idents, use.Idents...)
		}
	}
	if err := checkExpansions(idents, defined); err != nil {
		return nil, err
	}
	return probes, nil
}

// checkExpansions returns a local error unless defined tells that none of
// idents, the identifiers of angled names that a probe wrapper's use or a
// macro's body hands to __has_include, was a macro: the compiler probes
// the name their expansion makes.
func checkExpansions(idents []string, defined macrosDefined) error {
	if len(idents) == 0 {
		return nil
	}
	if defined == nil {
		return localf("__has_include is handed an angled name whose identifiers the compiler expands as macros, and nothing lists the compile's macros")
	}
	macros, err := defined(idents)
	if err != nil {
		return localf("__has_include is handed an angled name whose identifiers the compiler expands as macros, and listing the compile's macros failed: %v", err)
	}
	for _, id := range idents {
		if macros[id] {
			return localf("__has_include is handed a name that holds the macro %s: the compiler probes its expansion", id)
		}
	}
	return nil
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
