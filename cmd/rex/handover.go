package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
)

// fullClient is the name of the full client's binary, installed beside rex.
const fullClient = "rex-client"

// handOver replaces rex with rex-client, with the same arguments and
// environment: what the front end does not serve, the full client does.
// Without rex-client rex cannot do more than compile: a compile runs
// locally, and says why once; a rex command fails.
func handOver() {
	path := fullClientPath()
	if path != "" {
		err := syscall.Exec(path, os.Args, os.Environ())
		fmt.Fprintf(os.Stderr, "rex: exec %s: %v\n", path, err)
	}
	args := os.Args[1:]
	if len(args) == 0 || !compilecmd.IsCompile(args[0]) {
		fmt.Fprintf(os.Stderr, "rex: %s is not installed beside rex\n", fullClient)
		os.Exit(2)
	}
	warnMissing()
	compilecmd.ExecLocal(args)
}

// fullClientPath finds rex-client beside the rex binary (its real path),
// else on PATH; "" when there is none.
func fullClientPath() string {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), fullClient)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	p, _ := exec.LookPath(fullClient)
	return p
}

// warnMissing says, where a person reads rex's lines (compilecmd.Messages)
// and once a minute across rex processes, that compiles run locally for
// want of rex-client.
func warnMissing() {
	w, toTerminal := compilecmd.Messages(os.Getenv("REX_LOG_FILE"))
	if toTerminal {
		compilecmd.WarnOnce(w, compilecmd.StateDir(os.Getenv("REX_DIR")),
			"rex: "+fullClient+" is not installed beside rex: compiling locally")
	}
}
