package wrapper

import (
	"bytes"
	"fmt"
)

// compileErrorExit is how gcc and clang exit on an ordinary compile error.
// Any other non-zero exit (an internal compiler error's 4, a signal's
// 128+n, a worker's -1) says the compiler or its machine broke, not the
// source.
const compileErrorExit = 1

// faultMarkers are what a compiler prints when the failure may lie with
// the remote side rather than the source: an input missing from or
// different in the input root, a toolchain the worker lacks, a worker out
// of disk or memory, a crash. rex's dependency scan ran the same compiler
// locally and found every input, so a remote compile that cannot find one
// is rex's fault until shown otherwise.
var faultMarkers = []string{
	"No such file or directory",
	"cannot open",
	"Permission denied",
	"not found",
	"Read-only file system",
	"No space left",
	"Killed",
	"internal compiler error",
	"Segmentation fault",
	"error while loading shared libraries",
	"cannot execute", // the driver could not run cc1 or as
	"Text file busy",
	// clang's integrated assembler: an .incbin or .include the text hid
	// from rex (gas says "file not found").
	"Could not find incbin file", "Could not find include file",
}

// remoteFault says why a failed remote compile may be rex's fault rather
// than the source's, or "" when it reads as an ordinary compile error that
// a local compile would repeat. Such a failure is never replayed: the
// caller compiles locally instead.
func remoteFault(exitCode int32, stderr []byte) string {
	if exitCode == 0 {
		return ""
	}
	if exitCode != compileErrorExit {
		return fmt.Sprintf("exit code %d is not a compile error's", exitCode)
	}
	for _, m := range faultMarkers {
		if i := bytes.Index(stderr, []byte(m)); i >= 0 {
			// The whole line names what was missing.
			start := bytes.LastIndexByte(stderr[:i], '\n') + 1
			end := bytes.IndexByte(stderr[i:], '\n')
			if end < 0 {
				end = len(stderr) - i
			}
			return fmt.Sprintf("stderr says %q", bytes.TrimSpace(stderr[start:i+end]))
		}
	}
	return ""
}
