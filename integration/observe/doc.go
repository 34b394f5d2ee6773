// Package observe checks, against the built binaries and the real
// compilers, what rex says about the compiles it ran: `rex stats` (exact
// under many concurrent compiles), the build report, `rex explain`, and
// rex-server's metrics and status page.
package observe
