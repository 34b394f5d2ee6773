package realbuild

import (
	"os/exec"
	"testing"
)

// These builds run as their users run them, without REX_PROJECT_ROOT, on
// unpacked sources with no .git above: rex must find an input root that
// holds sources it reaches through "..", and the objects must still be
// byte-identical to a plain build's. CMake is given CC=gcc CXX=g++: the
// compilers it would find as cc and c++ here, named so that the builds stay
// on gcc where clang is installed too.

// leveldb, "mkdir build && cd build && cmake .. && make": a build directory
// inside the source, the default generator (Unix Makefiles), which runs
// each compile from the build directory with absolute source paths.
func TestLayoutCMakeBuildSubdir(t *testing.T) {
	runLayout(t, &layout{
		name: "leveldb-build-subdir", pkg: "leveldb",
		src: "leveldb", build: "leveldb/build",
		configure: func(c compilers) []command {
			return []command{
				cmd("leveldb", "mkdir", "build"),
				cmd("leveldb/build", append([]string{"cmake", "..",
					"-DLEVELDB_BUILD_TESTS=OFF", "-DLEVELDB_BUILD_BENCHMARKS=OFF"}, c.launchers()...)...).
					with("CC=gcc", "CXX=g++"),
			}
		},
		make:      func(compilers) command { return cmd("leveldb/build", "make", "-j4") },
		minRemote: 90,
	})
}

// googletest, "cmake -S . -B ../build -G Ninja": the build directory is a
// sibling of the source, so neither holds the other; ninja runs every
// compile from the build directory.
func TestLayoutCMakeSiblingBuild(t *testing.T) {
	runLayout(t, &layout{
		name: "googletest-sibling-build", pkg: "googletest",
		src: "googletest", build: "build",
		configure: func(c compilers) []command {
			return []command{
				cmd("googletest", append([]string{"cmake", "-S", ".", "-B", "../build", "-G", "Ninja",
					"-Dgtest_build_samples=ON"}, c.launchers()...)...).with("CC=gcc", "CXX=g++"),
			}
		},
		make:      func(compilers) command { return cmd("googletest", "cmake", "--build", "../build", "-j4") },
		minRemote: 90,
	})
}

// fribidi, "meson setup build && ninja -C build": Meson's default debug
// build (-g, so debug info records the build directory) with relative
// source paths (../lib/x.c); it compiles table generators first and runs
// them locally to produce headers the library includes.
func TestLayoutMeson(t *testing.T) {
	runLayout(t, &layout{
		name: "fribidi-meson", pkg: "fribidi",
		src: "fribidi", build: "fribidi/build",
		configure: func(c compilers) []command {
			return []command{cmd("fribidi", "meson", "setup", "build").with("CC=" + c.CC())}
		},
		make:          func(compilers) command { return cmd("fribidi", "ninja", "-C", "build", "-j4") },
		configOutputs: []string{"fribidi/build/config.h"},
		minRemote:     90,
	})
}

// libogg, "mkdir build && cd build && ../configure && make": autotools out
// of tree (VPATH), libtool compiling each source twice (PIC into .libs/
// and plain) with -g and relative paths through "..".
func TestLayoutAutotoolsOutOfTree(t *testing.T) {
	runLayout(t, &layout{
		name: "libogg-out-of-tree", pkg: "libogg",
		src: "libogg", build: "libogg/build",
		configure: func(c compilers) []command {
			return []command{
				cmd("libogg", "mkdir", "build"),
				cmd("libogg/build", "../configure").with("CC=" + c.CC()),
			}
		},
		make:          func(compilers) command { return cmd("libogg/build", "make", "-j4") },
		configOutputs: []string{"libogg/build/config.h", "libogg/build/include/ogg/config_types.h"},
		minRemote:     90,
	})
}

// The Linux kernel's tinyconfig, "make tinyconfig && make -j2 CC='rex gcc'
// vmlinux" in the unpacked tree: kbuild's -Wp,-MMD dep files (which fixdep
// rewrites after each compile), .S sources, -include of generated headers,
// and Kconfig's compiler probes (CC changes from gcc to "rex gcc", so
// syncconfig re-runs them during the build; .config and autoconf.h must come
// out the same). Every compile runs from the top of the tree.
func TestLayoutKbuildTinyconfig(t *testing.T) {
	runLayout(t, kbuildTinyconfig("linux-tinyconfig"))
}

// The same kernel build with no server, a new user's local compiler cache:
// most sources were never compiled, so their compiles run at once and key
// themselves (see wrapper/depend.go); then "make clean" and the same build
// again, served from the local cache.
func TestLayoutKbuildTinyconfigNoServer(t *testing.T) {
	l := kbuildTinyconfig("linux-tinyconfig-no-server")
	l.noServer = true
	l.rebuild = func(c compilers) []command {
		return []command{cmd("linux", "make", "clean"), l.make(c)}
	}
	runLayout(t, l)
}

func kbuildTinyconfig(name string) *layout {
	return &layout{
		name: name, pkg: "linux-source-6.1",
		src: "linux", build: "linux",
		configure: func(compilers) []command { return []command{cmd("linux", "make", "tinyconfig")} },
		make: func(c compilers) command {
			argv := []string{"make", "-j2"}
			if c.rex {
				argv = append(argv, "CC="+c.CC())
			}
			return cmd("linux", append(argv, "vmlinux")...)
		},
		configOutputs: []string{"linux/.config", "linux/include/generated/autoconf.h"},
		differ: map[string]string{
			// Two local builds of the same tree differed only here: it is
			// compiled with -include include/generated/utsversion.h, whose
			// UTS_VERSION kbuild stamps with the link's date
			// ("#1 Tue Dec 1 20:37:25 UTC 2026") unless
			// KBUILD_BUILD_TIMESTAMP is set.
			"init/version-timestamp.o": "UTS_VERSION holds the build's date",
		},
		minRemote: 90,
	}
}

// libogg again, built with clang and a -fdebug-prefix-map of the source
// alone, as a distribution's CFLAGS give it: rex maps the root back for
// macros only, and clang (up to 16) keeps the first of two maps of one
// prefix, so a map of rex's beside the user's would win there.
func TestLayoutClangDebugPrefixMap(t *testing.T) {
	if _, err := exec.LookPath("clang"); err != nil {
		t.Skip("clang is not installed")
	}
	runLayout(t, &layout{
		name: "libogg-clang-debug-prefix-map", pkg: "libogg",
		src: "libogg", build: "libogg/build",
		configure: func(c compilers) []command {
			return []command{
				cmd("libogg", "mkdir", "build"),
				cmd("libogg/build", "sh", "-c", `../configure CFLAGS="-O2 -g -fdebug-prefix-map=$(cd .. && pwd)=."`).
					with("CC=" + c.wrap("clang")),
			}
		},
		make:          func(compilers) command { return cmd("libogg/build", "make", "-j4") },
		configOutputs: []string{"libogg/build/config.h", "libogg/build/include/ogg/config_types.h"},
		minRemote:     90,
	})
}
