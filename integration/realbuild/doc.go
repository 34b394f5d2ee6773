// Package realbuild holds end-to-end tests that build real third-party C and
// C++ projects (Debian source packages fetched by scripts/corpus/fetch) with
// make, CMake and Ninja, once plainly and then through rex and a rex-server,
// and check that every object is byte-identical to the local build, that
// rebuilds and a second checkout in another directory are cache hits, and
// that editing a header rebuilds exactly the objects that include it.
//
// The layout tests (layouts_test.go) build further projects the way their
// users lay them out, with rex's default input root: CMake build
// directories inside and beside the source, Meson, autotools out of tree
// (also with clang and a -fdebug-prefix-map) and the Linux kernel's
// tinyconfig, each checked object by object against
// a plain build and for a floor of remote compiles.
//
// The tests take minutes; they are skipped under -short.
package realbuild
