// Package adversarial holds an end-to-end soundness suite for rex: each case
// runs a compile with the plain compiler and then through rex at the same
// absolute paths, compares everything the compile leaves behind byte for
// byte, mutates something the compile reads (or looked for and did not
// find), and compares again. A difference is a wrong object, a stale hit or
// a broken build; the suite counts them per class and prints one summary.
//
// The cases drive the built binaries against one rex-server with embedded
// workers per test binary; they are skipped under -short.
package adversarial
