// Package interop proves rex against REAPI implementations it did not write,
// and real clients against rex-server, by driving the built binaries:
//
//   - rex → Buildbarn (remote execution) and rex → bazel-remote (REX_CACHE_ONLY)
//     building zlib, objects byte-identical to a local build;
//   - Bazel 2.1 and 4.2 → rex-server with --remote_cache and --remote_executor
//     on the workspace in integration/bazel;
//   - the conformance suite (integration/conformance) against Buildbarn and
//     bazel-remote.
//
// Peers are installed by scripts/peers/install into $REX_PEERS_DIR (default
// ~/.cache/rex-peers); a test whose peer is missing is skipped and says so.
// scripts/interop installs them and runs everything.
package interop
