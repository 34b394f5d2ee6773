// Command rex is the client's front end: it runs once per compile, so it
// links only what serving a compile from the local cache takes (no gRPC,
// no REAPI code, no command-line framework), and starts in about a third of
// the full client's time. It serves a direct-mode hit from the local cache
// (package localhit) and runs locally what is no remotable compile; every
// other compile, every rex option and every rex command it hands, as it
// came, to rex-client beside it, which does the rest (and the same checks
// again, through the same package).
//
// Built with the rexslim tag (scripts/build), the digest and toolchain
// packages leave out their REAPI parts; built without it, rex works the
// same and starts slower.
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
)

// version is rex-client's: the two are built and installed together.
var version = "0.1.0-dev"

func main() {
	args := os.Args[1:]
	if len(args) == 1 && args[0] == "--version" {
		// Answered here, it is the floor of every rex invocation.
		fmt.Println("rex version " + version)
		return
	}
	if len(args) == 0 || !compilecmd.IsCompile(args[0]) {
		handOver()
	}
	compilecmd.LoadConfigFile()
	cfg, ok := frontConfig()
	if !ok {
		handOver()
	}
	compilecmd.TuneGC()
	start := time.Now()
	if !serve(cfg, args, start) {
		handOver()
	}
}
