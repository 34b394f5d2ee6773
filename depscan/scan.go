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
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
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
	if first == "" {
		first = e.Err.Error()
	}
	return fmt.Sprintf("depscan: %s exited with code %d: %s", e.Args[0], e.ExitCode, first)
}

func (e *Error) Unwrap() error { return e.Err }

// Scan runs inv.DepsArgs() in dir with the environment env (nil: this
// process's) and returns the prerequisites of the printed rule, as the
// compiler printed them: relative to dir or absolute. The compiler is
// looked up in env's PATH. A listed header that gcc would replace with its
// precompiled form is an error wrapping ErrPrecompiled.
func Scan(ctx context.Context, inv *compiler.Invocation, dir string, env []string) ([]string, error) {
	if !inv.Remotable {
		return nil, ErrNotRemotable
	}
	args := inv.DepsArgs()
	path, err := lookPath(args[0], env)
	if err != nil {
		return nil, &Error{Args: args, ExitCode: -1, Err: err}
	}
	cmd := exec.CommandContext(ctx, path, args[1:]...)
	cmd.Args[0] = args[0]
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		code := -1
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		}
		return nil, &Error{Args: args, ExitCode: code, Stderr: stderr.Bytes(), Err: err}
	}
	deps, err := ParseRule(stdout.Bytes())
	if err != nil {
		return nil, fmt.Errorf("depscan: output of %s: %w", args[0], err)
	}
	if err := precompiledSibling(inv, deps, dir); err != nil {
		return nil, err
	}
	return deps, nil
}

// lookPath finds a command name without a slash in the PATH of env (the
// last PATH entry wins, as for exec), or of this process if env is nil.
// Names with a slash are used as they are (relative ones from the scan
// directory).
func lookPath(name string, env []string) (string, error) {
	if strings.Contains(name, "/") {
		return name, nil
	}
	pathVar, found := os.Getenv("PATH"), env == nil
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			pathVar, found = v, true
		}
	}
	if !found {
		pathVar = ""
	}
	for _, d := range filepath.SplitList(pathVar) {
		if !filepath.IsAbs(d) {
			continue
		}
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: %w", name, exec.ErrNotFound)
}
