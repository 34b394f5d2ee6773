package compiler

import (
	"os"
	"path/filepath"
	"strings"
)

// item is one argument of the command line as the model understood it.
type item struct {
	spec  *spec  // nil for an input file
	opt   string // option text ("-I", "-c"); for joined forms, the prefix
	value string // option value, or the input file name
	sep   bool   // the value was the next argument
}

// state collects what the walk over the arguments found.
type state struct {
	inv    *Invocation
	cxx    bool
	reason string
	lang   string // current -x language, "" for "by extension"

	compile, md, mmd, coverage, stackUsage, targets bool
	lto, sanitize, absInput                         bool

	sources       []item
	linkInput     string // an object or library among the inputs
	output        string
	haveOutput    bool
	mf, wpDepFile string
	wpMMD         bool // -Wp,-MMD
}

func (st *state) local(reason string) {
	if st.reason == "" {
		st.reason = reason
	}
}

// walk reads every argument; it stops at the first reason to run locally.
func (st *state) walk(args []string) {
	for i := 0; i < len(args) && st.reason == ""; i++ {
		a := args[i]
		switch {
		case a == "":
			st.local("empty argument")
			continue
		case a == "-":
			st.local("input from stdin")
			continue
		case a == "/dev/null":
			// A build system's probe of the compiler (Kbuild's
			// cc-option, autoconf): empty input, and a fresh temporary
			// output name each time, so never a hit. It costs less here.
			st.local("compiler probe: the source is /dev/null")
			continue
		case a[0] != '-':
			st.input(a)
			continue
		}
		s, exact := lookup(a)
		switch {
		case s == nil:
			st.local("unknown option " + a)
			continue
		case s.local != "":
			st.local(s.local)
			continue
		}
		it := item{spec: s, opt: a}
		if !exact {
			it.opt, it.value = s.name, a[len(s.name):]
		} else if s.form == separate || s.form == joinedOrNext {
			if i+1 >= len(args) {
				st.local("missing argument to " + a)
				continue
			}
			i++
			it.value, it.sep = args[i], true
		}
		st.apply(it)
		st.noteAbsInput(it)
		st.inv.items = append(st.inv.items, it)
	}
}

// apply records what one option means for the compile.
func (st *state) apply(it item) {
	switch it.spec.role {
	case roleCompile:
		st.compile = true
	case roleOutput:
		st.setOutput(it.value)
	case roleLang:
		st.lang = it.value
		if st.lang == "none" {
			st.lang = ""
		}
	case roleMD:
		st.md = true
	case roleMMD:
		st.mmd = true
	case roleMF:
		st.mf = it.value
	case roleTarget:
		st.targets = true
	case roleTestCoverage:
		st.coverage = true
	case roleStackUsage:
		st.stackUsage = true
	case roleWp:
		st.wp(it.value)
	case roleWa:
		st.checkWa(it.value)
	case roleXclang:
		st.checkXclang(it.value)
	case roleInclude:
		if st.precompiled(it.value) {
			st.local("precompiled header " + it.value)
		}
	case roleXpre:
		if !strings.HasPrefix(it.value, "-D") && !strings.HasPrefix(it.value, "-U") {
			st.local("unsupported -Xpreprocessor " + it.value)
		}
		st.checkDefine(it.value)
	default:
		st.applyReads(it)
	}
}

// precompiled reports whether a precompiled form of an -include header
// exists next to it, which gcc or clang would use instead of the header.
func (st *state) precompiled(header string) bool {
	if header == "" {
		return false
	}
	if !filepath.IsAbs(header) {
		header = filepath.Join(st.inv.cwd, header)
	}
	for _, ext := range []string{".gch", ".pch"} {
		if _, err := os.Stat(header + ext); err == nil {
			return true
		}
	}
	return false
}

func (st *state) setOutput(v string) {
	switch {
	case st.haveOutput:
		st.local("several -o")
	case v == "" || v == "-":
		st.local("output to stdout")
	}
	st.output, st.haveOutput = v, true
}

// input classifies an input file by the current -x language or its suffix.
func (st *state) input(name string) {
	if isLinkInput(name) {
		st.linkInput = name
		st.inv.items = append(st.inv.items, item{value: name})
		return
	}
	lang, why := st.langOf(name)
	if why != "" {
		st.local(why)
		return
	}
	if len(st.sources) > 0 {
		st.local("several sources")
		return
	}
	st.inv.Lang = lang
	it := item{value: name}
	st.sources = append(st.sources, it)
	st.inv.items = append(st.inv.items, it)
}

func (st *state) langOf(name string) (lang, why string) {
	switch st.lang {
	case "c", "cpp-output":
		return "c", ""
	case "c++", "c++-cpp-output":
		return "c++", ""
	case "c-header", "c++-header":
		return "", "precompiled header"
	case "assembler-with-cpp":
		return "assembler-with-cpp", ""
	case "":
	default:
		return "", "language " + st.lang
	}
	switch filepath.Ext(name) {
	case ".c", ".i":
		if st.cxx {
			return "c++", ""
		}
		return "c", ""
	case ".cc", ".cpp", ".cxx", ".c++", ".C", ".cp", ".CPP", ".ii":
		return "c++", ""
	case ".S", ".sx":
		// Preprocessed, then assembled: the scan lists what the
		// preprocessor reads, and the directive scan finds .incbin and
		// .include, which the assembler reads.
		return "assembler-with-cpp", ""
	case ".h", ".hh", ".hpp", ".hxx", ".H", ".h++", ".HPP", ".tcc":
		return "", "precompiled header"
	}
	return "", "unsupported input " + name
}

// isLinkInput reports whether name looks like an object file or library.
func isLinkInput(name string) bool {
	switch filepath.Ext(name) {
	case ".o", ".obj", ".lo", ".a", ".la", ".so":
		return true
	}
	return strings.Contains(filepath.Base(name), ".so.")
}
