// Package conformance is a black-box REAPI v2 conformance suite. It talks to
// one endpoint through the raw generated stubs (Capabilities, CAS, ByteStream,
// ActionCache, Execution) and checks what the specification requires, once
// per digest function the server offers (SHA-256, BLAKE3).
//
// Environment:
//
//	REX_CONFORMANCE_SERVER    grpc://host:port, grpcs://host:port or unix:///path.
//	                          Unset: the suite builds and starts its own rex-server.
//	REX_CONFORMANCE_INSTANCE  instance name (default "").
//	REX_CONFORMANCE_PROFILE   "full" (with Execution) or "cache" (CAS + ActionCache only);
//	                          default "full".
//	REX_CONFORMANCE_PEER      which implementation this is: "rex", "buildbarn",
//	                          "bazel-remote". Selects the per-peer expectations where a
//	                          peer knowingly differs from the spec; unknown peers are held
//	                          to the spec text. Default "rex" when the suite starts the
//	                          server itself, else "".
//
// Where implementations differ, the test says which reading of the spec is
// right and quotes the text; see expectations_test.go.
package conformance
