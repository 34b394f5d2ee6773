package compiler

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// RemoteArgs returns the argv for the remote command: Args with every
// path-valued argument passed through rewrite, each option keeping the form
// the user wrote, and without the dependency-file options: the dependency
// scan, which runs locally with the user's paths, writes the dependency
// file (see ScanArgs), so it is byte for byte what a local compile writes.
func (inv *Invocation) RemoteArgs(rewrite func(path string) string) []string {
	rw := func(p string) string {
		// "=dir" is relative to the sysroot, not a file-system path.
		if p == "" || p[0] == '=' {
			return p
		}
		return rewrite(p)
	}
	out := []string{inv.Compiler}
	for _, it := range inv.items {
		v := it.value
		if it.spec != nil {
			switch it.spec.role {
			case roleMD, roleMMD, roleMF, roleTarget, roleMP:
				continue
			case roleWp:
				parts := wpParts(v, rw, false)
				if len(parts) == 0 {
					continue
				}
				v = joinComma(parts)
			}
		}
		if it.spec == nil || it.spec.path {
			v = rw(v)
		}
		out = appendItem(out, it, v)
	}
	return out
}

// DepsArgs returns the argv that prints the compile's make rule on stdout
// (-M, so system headers are listed) and writes no file: the compile flags
// without -c, -o, the dependency-file options and options that write
// auxiliary files.
func (inv *Invocation) DepsArgs() []string {
	out := inv.preprocessArgs(false, "")
	return append(out, "-M")
}

// ScanArgs returns the argv that preprocesses the source to stdout (whose
// line markers name every file read) and, when the compile writes a
// dependency file, writes it to depFile exactly as the compile itself
// would write it to DepFile: same options, same target.
func (inv *Invocation) ScanArgs(depFile string) []string {
	out := inv.preprocessArgs(inv.DepFile != "", depFile)
	if inv.addMF {
		out = append(out, "-MF", depFile)
	}
	if inv.addMQ != "" {
		out = append(out, "-MQ", inv.addMQ)
	}
	// gcc handles the directives alone, which opens the same files and
	// writes the same dependency file, at less than the cost of -M; but
	// that mode reads "//" as a comment where C90 does not.
	if inv.Family == GCC && !inv.preprocessedSource() && !inv.MayLackLineComments() {
		out = append(out, "-fdirectives-only")
	}
	// -dD lists every macro definition in the output, where the scan's
	// reader finds which names were macros (directives-only mode implies
	// it; a plain -E, clang's or gcc's, needs it said).
	return append(out, "-dD", "-E")
}

// MacroArgs returns the argv that preprocesses the source to stdout with
// every macro definition listed (-dD), writing no file: what the macros of
// a compile scanned by its make rule (DepsArgs) are read from.
func (inv *Invocation) MacroArgs() []string {
	return append(inv.preprocessArgs(false, ""), "-dD", "-E")
}

// preprocessedSource reports whether the source is already preprocessed
// (.i, .ii, -x cpp-output).
func (inv *Invocation) preprocessedSource() bool {
	switch filepath.Ext(inv.Source) {
	case ".i", ".ii":
		return true
	}
	for _, it := range inv.items {
		if it.spec != nil && it.spec.role == roleLang && strings.HasSuffix(it.value, "cpp-output") {
			return true
		}
	}
	return false
}

// preprocessArgs is Args without the options that compile or write
// auxiliary files; with deps, the dependency options stay and the
// dependency file becomes depFile.
func (inv *Invocation) preprocessArgs(deps bool, depFile string) []string {
	return inv.preprocessItems(deps, depFile, false)
}

// preprocessItems is preprocessArgs; forSearch also replaces the source
// with an empty input of its language and leaves out the files forced in
// (-include, -imacros), which the search list does not depend on.
func (inv *Invocation) preprocessItems(deps bool, depFile string, forSearch bool) []string {
	out := []string{inv.Compiler}
	for _, it := range inv.items {
		v := it.value
		switch {
		case forSearch && it.spec == nil:
			out = append(out, "-x", inv.Lang, os.DevNull)
			continue
		case forSearch && (it.opt == "-include" || it.opt == "-imacros"):
			continue
		}
		if it.spec != nil {
			switch it.spec.role {
			case roleCompile, roleOutput, roleSplitDwarf, roleTestCoverage, roleStackUsage:
				continue
			case roleMD, roleMMD, roleTarget, roleMP:
				if !deps {
					continue
				}
			case roleMF:
				if !deps {
					continue
				}
				v = depFile
			case roleWp:
				parts := wpParts(v, func(string) string { return depFile }, deps)
				if len(parts) == 0 {
					continue
				}
				v = joinComma(parts)
			}
		}
		out = appendItem(out, it, v)
	}
	return out
}

func appendItem(out []string, it item, v string) []string {
	switch {
	case it.spec == nil:
		return append(out, v)
	case it.sep:
		return append(out, it.opt, v)
	case it.spec.form == flag:
		return append(out, it.opt)
	}
	return append(out, it.opt+v)
}

func joinComma(parts []string) string { return strings.Join(parts, ",") }

// OptionValues returns the values of the options named (an include
// directory's -I, -include's file...), in command-line order, whether
// joined or in the next argument, as the parse read them: an option's
// argument that merely looks like one of them is not one.
func (inv *Invocation) OptionValues(names ...string) []string {
	var values []string
	for _, it := range inv.items {
		if it.spec != nil && slices.Contains(names, it.opt) {
			values = append(values, it.value)
		}
	}
	return values
}

// SearchArgs returns the argv that has the compiler print its include
// search list (-v) and read nothing of the source: the scan's options with
// the source replaced by an empty input of its language, and no file
// forced in, preprocessed to stdout. The list depends on the options and
// the environment alone, so it is the one the compile searched. nil when
// the source's language is not known.
func (inv *Invocation) SearchArgs() []string {
	if inv.Lang == "" {
		return nil
	}
	return append(inv.preprocessItems(false, "", true), "-E", "-v")
}
