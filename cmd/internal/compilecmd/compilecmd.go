// Package compilecmd is what rex, the front end, and rex-client, the full
// client, both do around a compile: the config file, the state directory,
// the object a command writes, the terminal test, running the compiler in
// rex's place.
package compilecmd

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
)

// Object is the absolute path of the file the compile writes: parsed, the
// object of a remotable compile as the wrapper parsed it (Result.Output),
// else the -o value; "" when there is none.
func Object(argv []string, dir, parsed string) string {
	out := parsed
	if out == "" {
		out = dashO(argv)
	}
	if out == "" || out == "-" {
		return ""
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(dir, out)
	}
	return filepath.Clean(out)
}

// dashO is the last -o value of argv.
func dashO(argv []string) string {
	out := ""
	for i := 1; i < len(argv); i++ {
		switch a := argv[i]; {
		case a == "-o" && i+1 < len(argv):
			out = argv[i+1]
			i++
		case strings.HasPrefix(a, "-o") && len(a) > 2:
			out = a[2:]
		}
	}
	return out
}

// ExecLocal replaces rex with the real compiler: same argv, environment,
// stdio and exit status, as if rex had not been there.
func ExecLocal(argv []string) {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "rex: %s: command not found\n", argv[0])
		os.Exit(127)
	}
	err = syscall.Exec(path, argv, os.Environ())
	fmt.Fprintf(os.Stderr, "rex: exec %s: %v\n", path, err)
	os.Exit(127)
}
