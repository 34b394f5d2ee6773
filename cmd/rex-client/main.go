// Command rex runs a compiler command remotely when it can: from the remote
// cache, or by remote execution on a REAPI server, falling back to the real
// compiler locally whenever the remote path cannot serve it.
package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

func main() {
	compilecmd.LoadConfigFile()
	if err := newApp().Run(os.Args); err != nil {
		if args := os.Args[1:]; len(args) > 0 && compilecmd.IsCompile(args[0]) {
			// A setting rex cannot read (REX_VERBOSE=2, a size without
			// its unit's spelling) is no reason to fail the build: the
			// compiler runs as if rex were not there, and the line says
			// what to mend.
			fmt.Fprintf(os.Stderr, "rex: %v; compiling locally\n", err)
			compilecmd.ExecLocal(args)
		}
		fmt.Fprintf(os.Stderr, "rex: %v\n", err)
		os.Exit(2)
	}
}

// newApp is rex's command line.
func newApp() *cli.App {
	return &cli.App{
		Name:      "rex",
		Usage:     "run C and C++ compiles through a remote cache and remote execution",
		UsageText: "rex [rex options] COMPILER ARGS...\n   rex stats [--json] [--zero] [--since TIME] [--build ID]\n   rex explain [--json] OUTPUT\n   rex doctor [--json]\n   rex plan [--json] [--list] compile_commands.json",
		Version:   version,
		Flags:     flags(),
		Commands:  []*cli.Command{statsCommand(), explainCommand(), doctorCommand(), planCommand(), relayCommand()},
		Action:    compile,
		// Everything from the compiler on belongs to the compiler.
		HideHelpCommand: true,
		// The error alone, once (main says it): a build log has no use for
		// rex's help at every compile.
		OnUsageError: func(_ *cli.Context, err error, _ bool) error { return err },
	}
}
