// Package depscan finds the input files of a compile: it runs the compiler
// with -M (one process, no shell) and parses the make rule it prints. For
// what -M does not list, ScanDirectives reads a file's bytes for the
// __has_include probes and the constructs that read other files.
package depscan

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/dirlist"
	"github.com/rexbuild/rex/lookups"
)

// ErrNotRemotable is returned by Scan for an invocation the compiler model
// did not accept: its dependency arguments are not known.
var ErrNotRemotable = errors.New("depscan: invocation is not remotable")

// Error is a failed scan: the compiler could not be started (ExitCode -1)
// or exited non-zero, e.g. for a missing header. Stderr holds what it
// printed so the caller can decide to compile locally for the diagnostics.
type Error struct {
	Args     []string
	ExitCode int
	Stderr   []byte
	Err      error
}

func (e *Error) Error() string {
	first, _, _ := strings.Cut(strings.TrimSpace(string(e.Stderr)), "\n")
	// -v prints the driver's own lines first: name the diagnostic.
	for _, line := range strings.Split(string(e.Stderr), "\n") {
		if strings.Contains(line, "error:") {
			first = line
			break
		}
	}
	if first == "" {
		first = e.Err.Error()
	}
	return fmt.Sprintf("depscan: %s exited with code %d: %s", e.Args[0], e.ExitCode, first)
}

func (e *Error) Unwrap() error { return e.Err }

// Request is one dependency scan: the compiler (resolved, see package
// toolchain) and the invocation to scan, run in Dir with Env.
type Request struct {
	Compiler string
	Inv      *compiler.Invocation
	Dir      string
	Env      []string
	// DepFile, when the invocation writes a dependency file, is where the
	// scan writes it, byte for byte what the compile would write.
	DepFile string
	// Lists, when set, keeps the directories the scan reads (see
	// precompiledSibling) for the compile's later questions.
	Lists *dirlist.Cache
	// Lookups, when set, is preloaded into the scan's compiler, which
	// then tells Result.Lookups.
	Lookups *lookups.Library
}

// Result is what a scan found.
type Result struct {
	// Deps are the files the preprocessor read, as the compiler printed
	// them: relative to the scan's directory, or absolute.
	Deps []string
	// Search is the include search list of the compile.
	Search SearchList
	// Stderr is what the scan printed (diagnostics, -v, -H).
	Stderr []byte
	// Full says the scan's preprocessing carried out every directive (a
	// plain -E, or clang's): no spelling hid one from it (see hidden.go).
	Full bool
	// Lookups are the files the preprocessing whose files Deps lists
	// looked for, as its compiler told (see package lookups).
	Lookups lookups.Log
	// defs is the preprocessed output, which lists every macro definition
	// (-dD), kept for Defined until Close.
	defs *output
	// byRule, for a scan that read clang's make rule, which lists no
	// macros, is the request that Defined preprocesses once more.
	byRule *Request
}

// Scan runs the preprocessor over the invocation's source, writing no file
// but req.DepFile, and returns every file it read (from the line markers of
// its output, or from clang's -M rule) and the search list. A listed
// header that gcc would replace with its precompiled form is an error
// wrapping ErrPrecompiled.
func Scan(ctx context.Context, req Request) (*Result, error) {
	inv := req.Inv
	if !inv.Remotable {
		return nil, ErrNotRemotable
	}
	// clang's -M, which lists every file, is cheaper than its -E; with a
	// dependency file the user's options decide what it lists (-MMD leaves
	// system headers out), so the line markers of -E must. So must they in
	// C++: libstdc++'s c++config.h hands __has_include <tbb/tbb.h> in a
	// macro, whose words the compile's macros tell (see macros.go), and
	// clang++'s -E -dD costs a hello.cpp 9 ms more than its -M, where -M
	// and then -E -dD for the macros cost 50 ms more.
	byRule := inv.Family == compiler.Clang && inv.DepFile == "" && inv.Lang != "c++"
	args := inv.ScanArgs(req.DepFile)
	if byRule {
		args = inv.DepsArgs()
	}
	rule, args, err := newSkippedRule(req, append(args, "-v"), byRule)
	if err != nil {
		return nil, err
	}
	defer rule.remove()
	files, stderr, pre, err := preprocess(ctx, req, args, byRule)
	if err == nil {
		files, err = rule.join(ctx, req, files, &pre.lookups)
	}
	if err != nil {
		if pre.out != nil {
			pre.out.Close()
		}
		return nil, err
	}
	// The source comes first, whatever its first marker says.
	deps := []string{inv.Source}
	for _, f := range files {
		if f != inv.Source {
			deps = append(deps, f)
		}
	}
	if err := precompiledSibling(inv, deps, req.Dir, req.Lists); err != nil {
		if pre.out != nil {
			pre.out.Close()
		}
		return nil, err
	}
	res := &Result{Deps: deps, Search: ParseSearchList(stderr), Stderr: stderr, Full: !pre.directivesOnly, defs: pre.out, Lookups: pre.lookups}
	if byRule {
		res.byRule = &req
	}
	return res, nil
}

// Close releases the scan's output.
func (r *Result) Close() {
	if r.defs != nil {
		r.defs.Close()
		r.defs = nil
	}
	r.byRule = nil
}

// output is what a scan's compiler wrote to its stdout.
type output struct {
	f *os.File
	// lookups are what the compiler told of its lookups.
	lookups lookups.Log
	// mapped is the output as files read it, kept until Close (for
	// Result.Defined); release unmaps it.
	mapped  []byte
	release func()
}

func (o *output) Close() error {
	if o.release != nil {
		o.release()
		o.mapped, o.release = nil, nil
	}
	return o.f.Close()
}

// files reads the files the output names: the make rule's, or the line
// markers'. unread says the output passes on a directive that gcc's
// directives-only mode does not carry out (see fallback.go).
func (o *output) files(byRule bool) (files []string, unread bool, err error) {
	if err := o.read(); err != nil {
		return nil, false, err
	}
	b := o.mapped
	if byRule {
		files, err = ParseRule(b)
		return files, false, err
	}
	files, unread = readOutputFacts(b, sweepChunk)
	return files, unread, nil
}

// read maps the output.
func (o *output) read() error {
	b, release, err := readOutput(o.f)
	if err != nil {
		return err
	}
	o.mapped, o.release = b, release
	return nil
}

// run runs the compiler with args, its stdout to a file, and returns that
// file and what it printed on stderr.
func run(ctx context.Context, req Request, args []string) (output, []byte, error) {
	f, err := outputFile()
	if err != nil {
		return output{}, nil, err
	}
	cmd := exec.CommandContext(ctx, req.Compiler, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Dir, cmd.Env = req.Dir, req.Env
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	told := func() (lookups.Log, error) { return lookups.Log{}, nil }
	if req.Lookups != nil {
		if told, err = req.Lookups.Attach(cmd, req.Inv.Source); err != nil {
			f.Close()
			return output{}, nil, err
		}
	}
	err = cmd.Run()
	log, logErr := told()
	if err != nil {
		f.Close()
		return output{}, nil, runError(args, stderr.Bytes(), err)
	}
	if logErr != nil {
		f.Close()
		return output{}, nil, fmt.Errorf("depscan: the lookups of %s: %w", args[0], logErr)
	}
	log.Without(req.Dir, written(req, args), nil)
	return output{f: f, lookups: log}, stderr.Bytes(), nil
}

// runError is the Error of a compiler run with args that failed with err.
func runError(args []string, stderr []byte, err error) *Error {
	code := -1
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	}
	return &Error{Args: args, ExitCode: code, Stderr: stderr, Err: err}
}

// written are the files a scan run writes, which the compiler may look at
// before it writes them: the dependency files.
func written(req Request, args []string) []string {
	var w []string
	if req.DepFile != "" {
		w = append(w, req.DepFile)
	}
	for i, a := range args {
		switch {
		case a == "-MF" && i+1 < len(args):
			w = append(w, args[i+1])
		case strings.HasPrefix(a, "-MF") && len(a) > 3:
			w = append(w, a[3:])
		}
	}
	return w
}
