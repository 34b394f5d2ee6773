package compiler

import (
	"regexp"
	"strings"
	"sync"
)

// Whether a compile writes a .dwo depends on the order of its -g options,
// the last of each kind winning, and differs between the families (checked
// against gcc 12 and clang 14 by TestSplitDwarfMatchesRealCompilers):
//
//   - -gsplit-dwarf asks for it and -gno-split-dwarf takes that back;
//   - gcc then writes the .dwo whatever the debug level, even -g0;
//   - clang writes it only when debug info ends up on: -g0, -ggdb0 and
//     -gline-directives-only turn it off, -g, -gN, -gdwarf-N, -gmlt... on,
//     and most -gfoo modifiers (-gz, -gcolumn-info, -gpubnames) leave it
//     as it was. A -g option not listed here keeps a clang compile local:
//     rex cannot tell whether the .dwo will appear.

// The patterns are compiled on first use, not at start-up: rex starts once
// per compile, and most compiles never ask.
var (
	clangDebugOn  = lazyRegexp(`^-g(|[1-9]|gdb[1-9]?|lldb|sce|full|used|dwarf|dwarf-[0-9]|dwarf32|dwarf64|line-tables-only|mlt|modules|no-inline-line-tables)$`)
	clangDebugOff = lazyRegexp(`^-g(0|gdb0|line-directives-only)$`)
	// clangDebugNeutral are modifiers that leave the debug level alone.
	clangDebugNeutral = lazyRegexp(`^-g(z|z=.*|(no-)?(column-info|record-gcc-switches|record-command-line|pubnames|gnu-pubnames|strict-dwarf|simple-template-names|embed-source|split-dwarf)|inline-line-tables|dwarf-aranges|codeview)$`)
)

// lazyRegexp compiles expr the first time the returned function is called.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

// debugInfo reports whether the compile emits debug info: the last -g
// option that turns it on or off decides.
func (inv *Invocation) debugInfo() bool {
	debug := false
	for _, it := range inv.items {
		if it.spec == nil || !strings.HasPrefix(it.opt, "-g") {
			continue
		}
		switch a := it.opt + it.value; {
		case clangDebugOn().MatchString(a):
			debug = true
		case clangDebugOff().MatchString(a):
			debug = false
		}
	}
	return debug
}

// splitDwarfOutput reports whether the compile writes a .dwo beside its
// object, or why rex cannot tell.
func (inv *Invocation) splitDwarfOutput() (writes bool, why string) {
	split, debug := false, false
	var unknown string
	for _, it := range inv.items {
		if it.spec == nil || !strings.HasPrefix(it.opt, "-g") {
			continue
		}
		a := it.opt + it.value
		switch {
		case a == "-gsplit-dwarf":
			split = true
		case a == "-gno-split-dwarf":
			split = false
		}
		switch {
		case clangDebugOn().MatchString(a):
			debug = true
		case clangDebugOff().MatchString(a):
			debug = false
		case !clangDebugNeutral().MatchString(a) && unknown == "":
			unknown = a
		}
	}
	if !split || inv.Family != Clang {
		return split, ""
	}
	if unknown != "" {
		return false, "-gsplit-dwarf with " + unknown + ": whether clang writes the .dwo is not known"
	}
	return debug, ""
}
