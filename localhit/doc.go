// Package localhit serves a compile from its direct-mode record and the
// local result cache: no dependency scan, no server, no header read. It
// links neither gRPC nor the generated REAPI code, so that the rex front
// end, which tries it first on every compile, starts in a fraction of
// the full client's time; the full client (package wrapper) goes through
// it too, so both name records and results alike and check the same.
package localhit
