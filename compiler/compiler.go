// Package compiler models gcc and clang command lines: it recognises the
// compiler, decides whether an invocation is a plain compile of one C or C++
// source that can run remotely, lists every file the compile writes, and
// builds the argument lists for the remote command and the dependency scan.
//
// The model is conservative: any option it does not know, and every feature
// whose outputs or inputs it cannot name exactly, makes the invocation
// non-remotable so that the wrapper runs it locally. EnvPolicy does the same
// for the environment: which variables the key must cover, and which make
// the compile local.
//
// Output naming, checked against gcc 12 and clang 14 by the tests: the
// object is the -o value, else the source basename with .o in the working
// directory. -MD/-MMD write the -MF file, else the object path with its last
// suffix replaced by .d (x.o -> x.d, x -> x.d); the default make target is
// the -o value quoted like -MQ, except through -Wp,-MD,FILE where gcc names
// the source basename with .o. -gsplit-dwarf writes OBJ.dwo (clang only when
// debug info ends up on; see dwarf.go), -ftest-coverage OBJ.gcno, -fstack-usage OBJ.su, where OBJ is
// the object path without its suffix.
package compiler

import (
	"errors"
	"path/filepath"
)

// Family is the compiler family, which decides a few output naming rules.
type Family int

// Compiler families.
const (
	Unknown Family = iota
	GCC
	Clang
)

func (f Family) String() string {
	switch f {
	case GCC:
		return "gcc"
	case Clang:
		return "clang"
	}
	return "unknown"
}

// Invocation is one parsed compiler command line.
type Invocation struct {
	// Remotable is true for a plain compile that may run remotely; Reason
	// says why not otherwise. Lang, Source, Output, Outputs, DepFile and
	// DebugInfo are set only for a remotable invocation.
	Remotable bool
	Reason    string

	Compiler string // argv[0] as typed
	Family   Family
	Lang     string // "c", "c++" or "assembler-with-cpp" (of the source), "" when unknown

	// Args is argv with @response files expanded.
	Args []string
	// Source is the source file as written on the command line.
	Source string
	// Output is the object file: the -o value as written, or the default
	// name (source basename with .o, in the working directory).
	Output string
	// Outputs lists every file the compile writes, Output first. Paths are
	// as the user wrote them (relative to the working directory or absolute);
	// the same rewrite as for RemoteArgs gives the remote output paths.
	Outputs []string
	// DepFile is the dependency file written with -MD/-MMD, or "".
	DepFile string
	// DepsOmitSystem says the dependency file may leave system headers
	// out (-MMD, or -Wp,-MMD).
	DepsOmitSystem bool
	// DebugInfo reports whether the compile emits debug info: the last -g
	// option that turns it on or off wins, and options that only tune it
	// (-gz, -gcolumn-info, -grecord-gcc-switches) leave it as it is.
	DebugInfo bool

	cwd   string
	items []item
	// addMQ is the -MQ target RemoteArgs adds to keep the dep file target
	// what a local compile writes ("" for none).
	addMQ string
	// addMF is set when the dep file name is derived from -o: RemoteArgs
	// names it with -MF so it follows rewrite exactly.
	addMF bool
}

// RemoteOutputs lists the files the remote command (RemoteArgs) writes:
// Outputs without the dependency file, which the scan writes (ScanArgs).
func (inv *Invocation) RemoteOutputs() []string {
	var out []string
	for _, o := range inv.Outputs {
		if o != inv.DepFile {
			out = append(out, o)
		}
	}
	return out
}

// HasDepFile reports whether the compile writes a dependency file.
func (inv *Invocation) HasDepFile() bool { return inv.DepFile != "" }

// ErrEmpty is returned by Parse for an empty argv.
var ErrEmpty = errors.New("compiler: empty command line")

// Parse parses argv (argv[0] is the compiler as typed) run in directory cwd.
// Response files (@file) are read relative to cwd. An error is returned only
// for an empty argv or an unreadable response file; everything else is
// described by Remotable and Reason.
func Parse(argv []string, cwd string) (*Invocation, error) {
	if len(argv) == 0 {
		return nil, ErrEmpty
	}
	inv := &Invocation{Compiler: argv[0], cwd: cwd}
	fam, cxx, ok := identify(argv[0])
	inv.Family = fam
	args, err := expandResponseFiles(argv[1:], cwd)
	if err != nil {
		return nil, err
	}
	inv.Args = append([]string{argv[0]}, args...)
	if !ok {
		inv.Reason = "unknown compiler " + filepath.Base(argv[0])
		return inv, nil
	}
	st := &state{inv: inv, cxx: cxx}
	st.walk(args)
	if st.reason == "" {
		st.finish()
	}
	inv.Reason = st.reason
	inv.Remotable = st.reason == ""
	if !inv.Remotable {
		inv.Lang, inv.Source, inv.Output = "", "", ""
		inv.Outputs, inv.DepFile, inv.addMQ, inv.addMF = nil, "", "", false
	} else {
		inv.DebugInfo = inv.debugInfo()
	}
	return inv, nil
}
