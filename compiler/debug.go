package compiler

import "strings"

// Whether clang emits debug info decides whether -gsplit-dwarf writes a
// .dwo (gcc always writes one). Many -g options only tune debug info and do
// not turn it on; checked with clang 14 and -gsplit-dwarf.
var (
	// debugOn turn debug info on (prefixes, as gcc and clang accept
	// -ggdb3, -gdwarf-5, -gstabs+).
	debugOn = []string{"-ggdb", "-gdwarf", "-gstabs", "-gxcoff", "-gvms", "-gmodules",
		"-gline-tables-only", "-gno-inline-line-tables", "-gfull", "-gused"}
	// debugTuning leave it as it is.
	debugTuning = []string{"-gz", "-gpubnames", "-gno-pubnames", "-ggnu-pubnames", "-gno-gnu-pubnames",
		"-gcolumn-info", "-gno-column-info", "-gembed-source", "-gno-embed-source",
		"-gstrict-dwarf", "-gno-strict-dwarf", "-gline-directives-only", "-grecord-gcc-switches",
		"-gno-record-gcc-switches", "-gsimple-template-names", "-gno-simple-template-names",
		"-gcodeview", "-gno-codeview", "-gdescribe-dies", "-gno-describe-dies", "-gas-loc-support",
		"-gno-as-loc-support", "-gas-locview-support", "-gno-as-locview-support", "-gvariable-location-views",
		"-gno-variable-location-views", "-ginternal-reset-location-views", "-gno-internal-reset-location-views",
		"-ginline-points", "-gno-inline-points", "-gstatement-frontiers", "-gno-statement-frontiers",
		"-gbtf", "-gctf"}
)

// setDebug records the effect of one -g option; the last one wins, as in
// the compilers (-g -g0 has no debug info).
func (st *state) setDebug(opt string) {
	switch {
	case opt == "-g" || opt == "-g1" || opt == "-g2" || opt == "-g3":
		st.debug = true
	case opt == "-g0" || opt == "-ggdb0":
		st.debug = false
	case opt == "-gno-split-dwarf":
		st.splitDwarf = false
	case matchesAny(opt, debugTuning, false):
	case matchesAny(opt, debugOn, true):
		st.debug = true
	default:
		if st.debugUnknown == "" {
			st.debugUnknown = opt
		}
	}
}

// checkDebug runs locally a clang compile with -gsplit-dwarf whose -g
// options the model cannot tell apart: whether a .dwo is written depends
// on them.
func (st *state) checkDebug() {
	if st.inv.Family == Clang && st.splitDwarf && st.debugUnknown != "" {
		st.local("-gsplit-dwarf with " + st.debugUnknown)
	}
}

func matchesAny(opt string, list []string, prefix bool) bool {
	for _, p := range list {
		if opt == p || prefix && strings.HasPrefix(opt, p) || strings.HasPrefix(opt, p+"=") {
			return true
		}
	}
	return false
}
