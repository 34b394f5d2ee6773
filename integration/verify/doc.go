// Package verify holds end-to-end tests of REX_VERIFY through the built
// binaries and a rex-server: a wrong result planted in the server's cache is
// caught, not served, and counted; and a real build (zlib) verified compile
// by compile shows no mismatch.
package verify
