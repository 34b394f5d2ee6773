package depscan

import (
	"slices"
)

// A scan whose output lists no macro definitions (clang's, a plain -E)
// cannot say which identifiers of an angled probe name were macros. They
// can only have been defined by a #define in a file the compile read, by
// its arguments (-D, which the caller reads), or by the compiler itself,
// whose predefined macros outside the reserved names are a few target
// names (PredefinedWord). DefinesAny reads a file for the first.

// DefinesAny returns the first of names that a #define line of src
// defines, in any conditional group, or "". It reads src both with and
// without trigraphs, with lines spliced.
func DefinesAny(src []byte, names []string) string {
	found := ""
	for _, t := range readings(src) {
		eachLine(t, func(ln []byte) bool {
			if dir, at := directive(ln); dir == "define" {
				if m, _ := defineParams(ln, at); slices.Contains(names, string(m)) {
					found = string(m)
				}
			}
			return found == ""
		})
		if found != "" {
			break
		}
	}
	return found
}

// predefinedWords are the macros outside the reserved names that gcc and
// clang predefine in GNU modes for some target: unix and linux on Linux,
// the CPU and system names of older targets.
var predefinedWords = []string{"linux", "unix", "i386", "i486", "i586", "i686",
	"sun", "sparc", "mips", "vax", "m68k", "mc68000", "mc68020", "hppa", "hp9000",
	"ns32000", "pdp11", "pyr", "sel", "sequent", "tahoe", "u3b", "u370", "ibm032",
	"gould", "bsd4_2", "bsd4_3", "BSD", "sun3", "sun4", "sun386", "m88k", "alpha",
	"powerpc", "ppc", "arm", "aarch64", "x86_64", "amd64", "sgi", "host_mips",
	"MIPSEB", "MIPSEL", "R3000", "R4000", "SYSTYPE_SVR4"}

// PredefinedWord reports whether a compiler may predefine name, a macro
// outside the reserved names (which start with '_').
func PredefinedWord(name string) bool {
	return slices.Contains(predefinedWords, name)
}
