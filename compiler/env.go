package compiler

import "strings"

// envRule is what the model does with one environment variable.
type envRule struct {
	keyed bool   // forwarded to the remote command and part of the key
	local string // non-empty: the compile runs locally, for this reason
}

const (
	envTools = "the driver finds tools and specs through it, outside the compiler's installation"
	envWrite = "the compiler writes a file rex does not know"
)

// envTable lists the variables gcc 12 and clang 14 read (found in their
// binaries and documentation) that matter to a compile with -c.
var envTable = map[string]envRule{
	// Diagnostics: their language, and their colours, URLs and width when
	// the command asks for them unconditionally (-fdiagnostics-color=always).
	"LANG": {keyed: true}, "LC_ALL": {keyed: true}, "LC_CTYPE": {keyed: true},
	"LC_MESSAGES": {keyed: true}, "LANGUAGE": {keyed: true},
	"GCC_COLORS": {keyed: true}, "GCC_URLS": {keyed: true}, "TERM_URLS": {keyed: true},
	"COLUMNS": {keyed: true}, "GCC_EXTRA_DIAGNOSTIC_OUTPUT": {keyed: true},
	// Include directories: the wrapper uploads what the scan finds there.
	"CPATH": {keyed: true}, "C_INCLUDE_PATH": {keyed: true}, "CPLUS_INCLUDE_PATH": {keyed: true},
	"OBJC_INCLUDE_PATH": {keyed: true}, "OBJCPLUS_INCLUDE_PATH": {keyed: true},
	// __DATE__, __TIME__ and __TIMESTAMP__ (gcc) come from it.
	"SOURCE_DATE_EPOCH": {keyed: true},
	// Debian's gcc reads it in the driver.
	"DEB_BUILD_OPTIONS": {keyed: true},

	"GCC_EXEC_PREFIX": {local: envTools},
	"COMPILER_PATH":   {local: envTools},
	// -MD in disguise: a dependency file the model does not name.
	"DEPENDENCIES_OUTPUT": {local: envWrite}, "SUNPRO_DEPENDENCIES": {local: envWrite},
	// Compiles twice and compares the dumps (-fcompare-debug).
	"GCC_COMPARE_DEBUG": {local: envWrite},
	// clang edits its own command line with it: the key would not cover
	// the options the compiler really runs with.
	"CCC_OVERRIDE_OPTIONS": {local: "clang rewrites its command line with it"},
	"CC_PRINT_OPTIONS":     {local: envWrite}, "CC_PRINT_OPTIONS_FILE": {local: envWrite},
	"CC_PRINT_HEADERS": {local: envWrite}, "CC_PRINT_HEADERS_FILE": {local: envWrite},
	"CC_LOG_DIAGNOSTICS": {local: envWrite}, "CC_LOG_DIAGNOSTICS_FILE": {local: envWrite},
	"CC_PRINT_PROC_STAT": {local: envWrite}, "CC_PRINT_PROC_STAT_FILE": {local: envWrite},
	// A library loaded into the compiler can change anything it does.
	"LD_PRELOAD": {local: "a library preloaded into the compiler"},
	"LD_AUDIT":   {local: "a library loaded into the compiler to audit it"},
	// glibc's character set conversions (-fexec-charset, -finput-charset)
	// and locale data (the diagnostics' quotes and language) come from
	// there: files no key covers.
	"GCONV_PATH": {local: "the compiler's charset conversions come from files rex does not key"},
	"LOCPATH":    {local: "the compiler's locale data come from files rex does not key"},
}

// EnvPolicy says what the wrapper must do with the environment variable
// name when it is set for a compile: keyed variables are passed to the
// remote command with their value, which so becomes part of the key; a
// non-empty local is the reason the compile must run locally. Any other
// variable (PATH, which the wrapper sets itself, TMPDIR, LIBRARY_PATH and
// MAKEFLAGS, which matter only to a link, TERM, HOME, ...) changes nothing
// a compile with -c reads or writes and is left out of the key.
//
// CLANG_* variables are keyed as a class: clang 14 reads none, later ones
// read some (CLANG_NO_DEFAULT_CONFIG turns off configuration files), and a
// value in the key is always correct.
func EnvPolicy(name string) (keyed bool, local string) {
	if r, ok := envTable[name]; ok {
		return r.keyed, r.local
	}
	if strings.HasPrefix(name, "CLANG_") {
		return true, ""
	}
	return false, ""
}
