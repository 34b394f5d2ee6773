package compiler

import (
	"sort"
	"strings"
)

// form is how an option takes its value.
type form int

const (
	flag         form = iota // -c
	joined                   // -O2, -std=c++17: value in the same argument
	separate                 // -Xclang X: value in the next argument
	joinedOrNext             // -I dir or -Idir
)

// role is what the classifier and the argument builders do with an option.
type role int

const (
	rolePlain role = iota
	roleCompile
	roleOutput
	roleMD
	roleMMD
	roleMF
	roleTarget // -MT, -MQ
	roleMP
	roleLang
	roleDebug
	roleSplitDwarf
	roleTestCoverage
	roleStackUsage
	roleWp
	roleWa
	roleXclang
	roleXpre
	roleInclude
	roleDefine
	roleXassembler
	roleMllvm
	roleLTO
	roleNoLTO
	roleSanitize
	roleRecordSwitches
	roleInputCharset
)

const (
	coverageReason = "coverage instrumentation embeds the absolute .gcda path"
	toolsReason    = "the driver takes tools and specs from a directory outside the compiler's installation"
	recordReason   = "command line embedded in object"
	inputReason    = "extra input file"
	dumpReason     = "dump files"
)

// spec describes one option known to the model.
type spec struct {
	name  string
	form  form
	role  role
	path  bool   // the value is a path (rewritten for the remote command)
	local string // non-empty: the option makes the invocation run locally
}

// specTable lists the known options. Longest-prefix matching picks the most
// specific entry, so "-fprofile-arcs" wins over "-fprofile-" over "-f".
var specTable = []spec{
	{name: "-c", role: roleCompile},
	{name: "-o", form: joinedOrNext, role: roleOutput, path: true},
	{name: "-x", form: joinedOrNext, role: roleLang},
	{name: "-O", form: joined}, {name: "-O"},
	{name: "-g", form: joined, role: roleDebug}, {name: "-g", role: roleDebug},
	{name: "-g0", role: roleDebug},
	{name: "-gsplit-dwarf", role: roleSplitDwarf},
	{name: "-gsplit-dwarf=", form: joined, local: "-gsplit-dwarf="},
	{name: "-W", form: joined},
	{name: "-Wl,", form: joined},
	{name: "-Wa,", form: joined, role: roleWa},
	{name: "-Wp,", form: joined, role: roleWp},
	{name: "-w"}, {name: "-pipe"}, {name: "-pthread"}, {name: "-ansi"},
	{name: "-pedantic"}, {name: "-pedantic-errors"}, {name: "-p"}, {name: "-pg"},
	{name: "-f", form: joined}, {name: "-m", form: joined},
	{name: "-mllvm", form: separate, role: roleMllvm},
	{name: "-std=", form: joined}, {name: "--std=", form: joined}, {name: "-stdlib=", form: joined},
	{name: "-D", form: joinedOrNext, role: roleDefine}, {name: "-U", form: joinedOrNext},
	{name: "-I", form: joinedOrNext, path: true},
	{name: "-isystem", form: joinedOrNext, path: true},
	{name: "-iquote", form: joinedOrNext, path: true},
	{name: "-idirafter", form: joinedOrNext, path: true},
	{name: "-isysroot", form: joinedOrNext, path: true},
	{name: "-include", form: joinedOrNext, role: roleInclude, path: true},
	{name: "-imacros", form: joinedOrNext, path: true},
	{name: "--sysroot", form: separate, path: true},
	{name: "--sysroot=", form: joined, path: true},
	// The driver looks for cc1, as and specs in -B directories first.
	{name: "-B", form: joinedOrNext, local: toolsReason},
	{name: "-L", form: joinedOrNext, path: true},
	// A library for the link step, which a compile (-c) never runs: known,
	// so that a link counts as a link and not as an unknown option -lz.
	{name: "-l", form: joinedOrNext},
	{name: "-MD", role: roleMD}, {name: "-MMD", role: roleMMD},
	{name: "-MF", form: joinedOrNext, role: roleMF, path: true},
	{name: "-MT", form: joinedOrNext, role: roleTarget},
	{name: "-MQ", form: joinedOrNext, role: roleTarget},
	{name: "-MP", role: roleMP},
	{name: "-Xpreprocessor", form: separate, role: roleXpre},
	{name: "-Xclang", form: separate, role: roleXclang},
	{name: "-Xlinker", form: separate},
	{name: "-target", form: separate}, {name: "--target=", form: joined},
	{name: "--param", form: separate}, {name: "--param=", form: joined},
	// Another GCC installation: its headers are listed by the scan, but
	// the toolchain the key assumes is the compiler's own.
	{name: "--gcc-toolchain=", form: joined, local: "--gcc-toolchain: " + toolsReason},
	{name: "-gcc-toolchain", form: separate, local: "--gcc-toolchain: " + toolsReason},
	{name: "--gcc-install-dir=", form: joined, local: "--gcc-toolchain: " + toolsReason},
	{name: "--gcc-triple=", form: joined, local: "--gcc-toolchain: " + toolsReason},
	{name: "-iprefix", form: joinedOrNext, local: "include directories from -iprefix"},
	{name: "-iwithprefix", form: joinedOrNext, local: "include directories from -iprefix"},
	{name: "-iwithprefixbefore", form: joinedOrNext, local: "include directories from -iprefix"},
	{name: "-imultilib", form: joinedOrNext, local: "-imultilib"},
	{name: "-imultiarch", form: joinedOrNext, local: "-imultilib"},
	{name: "-include-pch", form: separate, local: "precompiled header"},
	{name: "-Xassembler", form: separate, role: roleXassembler},
	{name: "-flto", role: roleLTO}, {name: "-flto=", form: joined, role: roleLTO},
	{name: "-fno-lto", role: roleNoLTO},
	{name: "-fsanitize=", form: joined, role: roleSanitize},
	// gcc 12 records only code generation switches, no path, no -D and
	// none of the options rex adds (-g's default, and -frecord-gcc-switches
	// in .GCC.command.line); clang records the whole command line.
	{name: "-grecord-gcc-switches", role: roleRecordSwitches},
	{name: "-grecord-command-line", local: recordReason},
	{name: "-fembed-bitcode", form: joined, local: recordReason},
	// Coverage instrumentation writes the absolute path of the .gcda file
	// (from the working directory) into the object: a remote compile in
	// another directory would make a wrong object.
	{name: "--coverage", local: coverageReason},
	{name: "-fprofile-arcs", local: coverageReason},
	{name: "-ftest-coverage", role: roleTestCoverage},
	{name: "-fstack-usage", role: roleStackUsage},
	{name: "-fprofile-abs-path"},
	{name: "-finput-charset=", form: joined, role: roleInputCharset},
	{name: "-fprofile-update=", form: joined},
	{name: "-nostdinc"}, {name: "-nostdinc++"}, {name: "-nostdlib"}, {name: "-nostdlib++"},
	{name: "-nodefaultlibs"}, {name: "-nostartfiles"}, {name: "-static"}, {name: "-shared"},
	{name: "-static-libgcc"}, {name: "-static-libstdc++"}, {name: "-rdynamic"},
	{name: "-pie"}, {name: "-no-pie"}, {name: "-no-canonical-prefixes"},
	{name: "-undef"}, {name: "-trigraphs"}, {name: "-Qunused-arguments"},
	{name: "-integrated-as"}, {name: "-no-integrated-as"},
	// Known, but run locally.
	{name: "-E", local: "-E"}, {name: "-S", local: "-S"},
	{name: "-M", local: "-M without -MD"}, {name: "-MM", local: "-MM without -MMD"},
	{name: "-MG", local: "-MG"}, {name: "-MJ", form: joinedOrNext, local: "-MJ"},
	{name: "-H", local: "-H"}, {name: "-v", local: "-v"}, {name: "-###", local: "-###"},
	{name: "--help", local: "--help"}, {name: "--version", local: "--version"},
	{name: "-save-temps", local: "-save-temps"}, {name: "-save-temps=", form: joined, local: "-save-temps"},
	{name: "-march=native", form: joined, local: "-march=native"},
	{name: "-mtune=native", form: joined, local: "-mtune=native"},
	{name: "-mcpu=native", form: joined, local: "-mcpu=native"},
	{name: "-fprofile-", form: joined, local: "profile feedback"},
	{name: "-fbranch-probabilities", local: "profile feedback"},
	{name: "-fauto-profile", form: joined, local: "profile feedback"},
	{name: "-fcs-profile-generate", form: joined, local: "profile feedback"},
	{name: "-fplugin", form: joined, local: "compiler plugin"},
	{name: "-fpass-plugin=", form: joined, local: "compiler plugin"},
	{name: "-specs=", form: joined, local: "-specs"}, {name: "--specs=", form: joined, local: "-specs"},
	{name: "-wrapper", form: separate, local: "-wrapper"},
	{name: "-fdump-", form: joined, local: "dump files"},
	{name: "-fcallgraph-info", form: joined, local: "dump files"},
	{name: "-fsave-optimization-record", form: joined, local: "dump files"},
	{name: "-foptimization-record-file=", form: joined, local: "dump files"},
	{name: "-fopt-info", form: joined, local: "dump files"},
	{name: "-ftime-trace", form: joined, local: "dump files"},
	{name: "-fsyntax-only", local: "-fsyntax-only"},
	{name: "-fmodules", form: joined, local: "modules"}, {name: "-fmodule-", form: joined, local: "modules"},
	{name: "-fimplicit-modules", local: "modules"}, {name: "-fprebuilt-module-path=", form: joined, local: "modules"},
	{name: "-fpch-", form: joined, local: "precompiled headers"},
	{name: "-fdeps-", form: joined, local: "modules"},
	{name: "-fsanitize-blacklist=", form: joined, local: "extra input file"},
	{name: "-fsanitize-ignorelist=", form: joined, local: "extra input file"},
	{name: "-fsanitize-coverage-allowlist=", form: joined, local: "extra input file"},
	{name: "-fsanitize-coverage-ignorelist=", form: joined, local: "extra input file"},
	{name: "-fsanitize-system-ignorelist=", form: joined, local: inputReason},
	{name: "-fsanitize-system-blacklist=", form: joined, local: inputReason},
	{name: "-fbasic-block-sections=list=", form: joined, local: inputReason},
	{name: "-fthinlto-index=", form: joined, local: inputReason},
	{name: "-fembed-offload-object=", form: joined, local: inputReason},
	{name: "-frewrite-map-file=", form: joined, local: inputReason},
	{name: "-fsanitize-coverage-whitelist=", form: joined, local: inputReason},
	{name: "-fsanitize-coverage-blacklist=", form: joined, local: inputReason},
	{name: "-fthin-link-bitcode=", form: joined, local: dumpReason},
	{name: "-fvtv-", form: joined, local: dumpReason},
	{name: "-fimplicit-module-maps", local: "modules"}, {name: "-fbuiltin-module-map", local: "modules"},
	{name: "-fcxx-modules", local: "modules"},
	{name: "-fmemory-profile-use=", form: joined, local: "profile feedback"},
	{name: "-fcompare-debug", form: joined, local: dumpReason},
	{name: "-fproc-stat-report", form: joined, local: dumpReason},
	{name: "-fdiagnostics-format=json-file", local: dumpReason},
	{name: "-fdiagnostics-format=sarif-file", local: dumpReason},
	{name: "-fdiagnostics-add-output=", form: joined, local: dumpReason},
	{name: "-fdiagnostics-set-output=", form: joined, local: dumpReason},
	{name: "-fxray-attr-list=", form: joined, local: "extra input file"},
	{name: "-fxray-always-instrument=", form: joined, local: "extra input file"},
	{name: "-fxray-never-instrument=", form: joined, local: "extra input file"},
	{name: "-frecord-gcc-switches", role: roleRecordSwitches},
	{name: "-frecord-command-line", local: recordReason},
	{name: "-fcrash-diagnostics", form: joined, local: "dump files"},
	{name: "-print-", form: joined, local: "query"}, {name: "-dump", form: joined, local: "query"},
}

var (
	exactSpecs  = map[string]*spec{}
	prefixSpecs []*spec // longest name first
)

func init() {
	for i := range specTable {
		s := &specTable[i]
		if s.form == joined || s.form == joinedOrNext {
			prefixSpecs = append(prefixSpecs, s)
		}
		if s.form != joined {
			exactSpecs[s.name] = s
		}
	}
	sort.SliceStable(prefixSpecs, func(i, j int) bool {
		return len(prefixSpecs[i].name) > len(prefixSpecs[j].name)
	})
}

// lookup finds the spec for an argument that starts with '-'. exact reports
// whether it matched by its full text (so a value, if any, comes next).
func lookup(arg string) (s *spec, exact bool) {
	if s, ok := exactSpecs[arg]; ok {
		return s, true
	}
	for _, p := range prefixSpecs {
		if strings.HasPrefix(arg, p.name) {
			return p, false
		}
	}
	return nil, false
}
