package realbuild

import "testing"

// zlib: autoconf-style ./configure and a plain Makefile, CC="rex gcc". make
// sends everything through rex: configure's probes, compiles of static (.o)
// and PIC (.lo, compiled to objs/x.o then renamed) objects, links, ar.
// Relative paths and no -g: objects embed no directory, so a second checkout
// shares hits without -ffile-prefix-map.
func TestZlib(t *testing.T) {
	runProject(t, &project{
		name:          "zlib",
		pkg:           "zlib",
		header:        "inftrees.h",
		configOutputs: []string{"zconf.h", "Makefile"},
		// zlib's Makefile lists header dependencies by hand (no dep files);
		// these are its rules naming inftrees.h.
		includers: []string{
			"infback.o", "inffast.o", "inflate.o", "inftrees.o",
			"infback.lo", "inffast.lo", "inflate.lo", "inftrees.lo",
		},
	})
}

// googletest: CMake with the Ninja generator, absolute source and include
// paths, -MD -MT -MF dep files that ninja reads and deletes. Builds the four
// libraries and the samples (18 objects; gtest's own tests take minutes a
// file and are left out).
//
// gtest's assertion macros expand __FILE__, and CMake passes absolute source
// paths, so without a prefix map the samples and the libraries embed the
// checkout's directory and a copy elsewhere could not produce the same
// bytes; -ffile-prefix-map=ROOT=. makes them directory-independent.
func TestGoogletest(t *testing.T) {
	runProject(t, &project{
		name:      "googletest",
		pkg:       "googletest",
		generator: "Ninja",
		cmakeArgs: []string{"-Dgtest_build_samples=ON"},
		header:    "googlemock/include/gmock/gmock-matchers.h",
		prefixMap: true,
	})
}

// leveldb: CMake with the Unix Makefiles generator, 40 C++ objects, with
// debug info (RelWithDebInfo: -O2 -g). Debug info records the compile
// directory and CMake's absolute source paths, so the objects of two
// checkouts differ unless -ffile-prefix-map=ROOT=. maps them away.
// leveldb is chosen over fmtlib: fmtlib builds only two (very heavy)
// objects, too few to say anything about hit ratios or header edits.
func TestLeveldb(t *testing.T) {
	runProject(t, &project{
		name:      "leveldb",
		pkg:       "leveldb",
		generator: "Unix Makefiles",
		cmakeArgs: []string{"-DCMAKE_BUILD_TYPE=RelWithDebInfo",
			"-DLEVELDB_BUILD_TESTS=OFF", "-DLEVELDB_BUILD_BENCHMARKS=OFF"},
		header:    "db/dbformat.h",
		prefixMap: true,
	})
}

// fmtlib: CMake with the Ninja generator, two heavy C++ objects. Its headers
// probe through a macro, "#define FMT_HAS_INCLUDE(x) __has_include(x)", used
// as FMT_HAS_INCLUDE(<string_view>): the cold build must still run them
// remotely (see depscan/wrappers.go), and a header that appears where a use
// looked must change them.
func TestFmtlib(t *testing.T) {
	runProject(t, &project{
		name:      "fmtlib",
		pkg:       "fmtlib",
		generator: "Ninja",
		cmakeArgs: []string{"-DFMT_TEST=OFF", "-DFMT_DOC=OFF"},
		header:    "include/fmt/os.h",
		prefixMap: true,
		allRemote: true,
	})
}

// fmtlib with clang++. glibc's fcntl.h says "#define fcntl fcntl64" where
// _FILE_OFFSET_BITS is 64, so a scan that lists no macros could not tell
// that FMT_HAS_INCLUDE(<fcntl.h>) probes fcntl.h as written, and the
// compiles ran locally: clang's preprocessing now lists its macros (see
// depscan/macros.go), and both run remotely.
func TestFmtlibClang(t *testing.T) {
	runProject(t, &project{
		name:      "fmtlib-clang",
		pkg:       "fmtlib",
		generator: "Ninja",
		cmakeArgs: []string{"-DFMT_TEST=OFF", "-DFMT_DOC=OFF"},
		header:    "include/fmt/os.h",
		prefixMap: true,
		clang:     true,
		allRemote: true,
	})
}
