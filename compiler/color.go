package compiler

import "strings"

// gcc and clang colour their diagnostics by default only when stderr is a
// terminal. A remote compile never has one, so a user at a terminal would
// see plain diagnostics where a local compile shows colours; the wrapper
// asks for them explicitly instead. The option changes no object: gcc
// leaves -fdiagnostics-color out of DW_AT_producer, and clang records its
// command line only with -grecord-command-line, when AskColor declines.
// (gcc's -fdiagnostics-urls, in contrast, is recorded, so rex does not ask
// for the links gcc adds on some terminals.)

var (
	gccColorAlways   = &spec{name: "-fdiagnostics-color=always"}
	clangColorAlways = &spec{name: "-fcolor-diagnostics"}
)

// HasColorOption reports whether the command chooses its diagnostics'
// colouring itself.
func (inv *Invocation) HasColorOption() bool {
	for _, it := range inv.items {
		if it.spec == nil {
			continue
		}
		switch a := it.opt + it.value; {
		case strings.HasPrefix(a, "-fdiagnostics-color"), strings.HasPrefix(a, "-fno-diagnostics-color"),
			a == "-fcolor-diagnostics", a == "-fno-color-diagnostics":
			return true
		}
	}
	return false
}

// AskColor makes RemoteArgs ask for coloured diagnostics, as the compiler
// gives on a terminal, unless the option would be recorded in the object.
// It returns the option it added, or "".
func (inv *Invocation) AskColor() string {
	s := gccColorAlways
	if inv.Family == Clang {
		if inv.recordsCommandLine() {
			return ""
		}
		s = clangColorAlways
	}
	inv.items = append(inv.items, item{spec: s, opt: s.name})
	return s.name
}

// recordsCommandLine reports whether clang writes its command line into
// the debug info (the last -g[no-]record-* option decides).
func (inv *Invocation) recordsCommandLine() bool {
	on := false
	for _, it := range inv.items {
		if it.spec == nil {
			continue
		}
		switch it.opt + it.value {
		case "-grecord-command-line", "-grecord-gcc-switches":
			on = true
		case "-gno-record-command-line", "-gno-record-gcc-switches":
			on = false
		}
	}
	return on
}
