package compiler

import (
	"path/filepath"
	"strings"
)

// The checks here ask of an option the model otherwise accepts: what does
// the compiler read or embed that the key does not cover? When rex cannot
// be sure, the compile runs locally.

// applyReads handles the roles whose options may read files or embed
// paths.
func (st *state) applyReads(it item) {
	switch it.spec.role {
	case roleDefine:
		st.checkDefine("-D" + it.value)
	case roleXassembler:
		st.checkAssembler([]string{it.value}, "-Xassembler "+it.value)
	case roleMllvm:
		st.checkMllvm(it.value)
	case roleLTO:
		st.lto = true
	case roleNoLTO:
		st.lto = false
	case roleSanitize:
		st.sanitize = true
	case roleRecordSwitches:
		if st.inv.Family == Clang {
			st.local(recordReason)
		}
	case roleInputCharset:
		st.checkInputCharset(it.value)
	}
}

// asciiCharsets match the -finput-charset names whose bytes spell every
// ASCII character as ASCII does and use no byte below 0x80 within another
// character: the directive and spelling checks that read a file's bytes
// (package depscan) read such a file as the compiler does after its
// conversion. Shift_JIS, GBK, UTF-16 and EBCDIC do not.
var asciiCharsets = lazyRegexp(`^(?i)(utf-?8|(us-?)?ascii|ansi_x3\.4-1968|iso[-_]?8859-[0-9]+|iso8859-[0-9]+|latin-?[0-9]+|l[0-9]|cp125[0-8]|windows-125[0-8]|koi8-[ru])$`)

const charsetReason = "rex reads directives in a file's bytes, which that charset spells otherwise"

// checkInputCharset keeps a compile local when its sources are in a
// charset whose bytes spell directives and quotes otherwise than ASCII.
func (st *state) checkInputCharset(charset string) {
	if !asciiCharsets().MatchString(charset) {
		st.local("-finput-charset=" + charset + ": " + charsetReason)
	}
}

// definedReads lists what a macro given on the command line may hold that
// probes or reads a file (_Pragma for "GCC dependency"), or that takes the
// compile's clock: the directive scan reads files, not arguments.
var definedReads = []string{"__has_include", "__has_embed", "__TIMESTAMP__", "_Pragma", "__DATE__", "__TIME__"}

// checkDefine checks a -D option (as -DNAME=VALUE) for definedReads, and
// for a paste, which may build one of them (-DHI=__has_##include).
func (st *state) checkDefine(def string) {
	for _, w := range append(definedReads, "##", "%:%:") {
		if strings.Contains(def, w) {
			st.local("macro " + def + " uses " + w)
			return
		}
	}
}

// mllvmOption is an LLVM option with an optional value, both plain words.
var mllvmOption = lazyRegexp(`^-{1,2}[a-z0-9][a-z0-9-]*(=[A-Za-z0-9_,+-]*)?$`)

// mllvmFileWords are parts of LLVM option names that take or write files
// (-sample-profile-file=, -info-output-file=, -pass-remarks-output=,
// -stats-json, -debug-pass, ...).
var mllvmFileWords = []string{"file", "output", "dir", "path", "profile", "remark", "stats", "dump", "log", "trace", "list", "import", "load", "print", "debug"}

// checkMllvm accepts -mllvm options whose name and value cannot name a file.
func (st *state) checkMllvm(value string) {
	name, _, _ := strings.Cut(value, "=")
	bad := !mllvmOption().MatchString(value)
	for _, w := range mllvmFileWords {
		bad = bad || strings.Contains(name, w)
	}
	if bad {
		st.local("unsupported -mllvm " + value)
	}
}

// checkEmbeddedPaths runs locally the compiles whose object keeps a path
// no prefix map rewrites. The evidence: the same compile in two
// directories, each with -ffile-prefix-map=DIR=/local as the remote command
// has, gives different objects (gcc 12, clang 14):
//   - gcc -flto stores the unmapped working directory in the LTO bytecode
//     (even for a relative source, without -g); with -g the linked program's
//     line table then names the compile's directory relative to the link's;
//   - clang -flto stores the source path as written in the bitcode
//     (source_filename): an absolute one names the worker's directory;
//   - AddressSanitizer globals and UBSan source locations name the source
//     and the headers by the paths used to open them, unmapped.
func (st *state) checkEmbeddedPaths() {
	switch {
	case st.lto && st.inv.Family != Clang:
		st.local("gcc -flto records the working directory in the LTO bytecode")
	case st.lto && filepath.IsAbs(st.sources[0].value):
		st.local("-flto records the absolute source path in the bitcode")
	case st.sanitize && (st.absInput || filepath.IsAbs(st.sources[0].value)):
		st.local("-fsanitize records the absolute paths of inputs unmapped")
	}
}

// noteAbsInput records an absolute path among the options that find
// inputs (include directories, -include, the sysroot).
func (st *state) noteAbsInput(it item) {
	if it.spec.path && it.spec.role != roleOutput && it.spec.role != roleMF && filepath.IsAbs(it.value) {
		st.absInput = true
	}
}
