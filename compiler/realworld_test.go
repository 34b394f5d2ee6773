package compiler

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// realWorld holds compile commands as CMake (Ninja generator, gcc 12 and
// clang 14) and zlib's Makefile issue them, with the source and build
// directories renamed /src and /build.
var realWorld = []struct {
	cmd     string
	outputs []string
}{
	{"/usr/bin/c++ -I/src/fmt/include -O2 -g -DNDEBUG -fvisibility=hidden -fvisibility-inlines-hidden -std=gnu++11 " +
		"-MD -MT CMakeFiles/fmt.dir/src/format.cc.o -MF CMakeFiles/fmt.dir/src/format.cc.o.d " +
		"-o CMakeFiles/fmt.dir/src/format.cc.o -c /src/fmt/src/format.cc",
		[]string{"CMakeFiles/fmt.dir/src/format.cc.o", "CMakeFiles/fmt.dir/src/format.cc.o.d"}},
	{"/usr/bin/c++ -I/src/gt/googlemock/include -I/src/gt/googlemock -isystem /src/gt/googletest/include " +
		"-isystem /src/gt/googletest -O2 -g -DNDEBUG -Wall -Wshadow -Wno-error=dangling-else -DGTEST_HAS_PTHREAD=1 " +
		"-fexceptions -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -DGTEST_HAS_PTHREAD=1 " +
		"-MD -MT googlemock/CMakeFiles/gmock.dir/src/gmock-all.cc.o -MF googlemock/CMakeFiles/gmock.dir/src/gmock-all.cc.o.d " +
		"-o googlemock/CMakeFiles/gmock.dir/src/gmock-all.cc.o -c /src/gt/googlemock/src/gmock-all.cc",
		[]string{"googlemock/CMakeFiles/gmock.dir/src/gmock-all.cc.o", "googlemock/CMakeFiles/gmock.dir/src/gmock-all.cc.o.d"}},
	{"/usr/bin/clang++ -I/src/gt/googlemock/include -isystem /src/gt/googletest/include -g -Wall -Wshadow -Wconversion " +
		"-DGTEST_HAS_PTHREAD=1 -fexceptions -W -Wpointer-arith -Wreturn-type -Wcast-qual -Wwrite-strings -Wswitch " +
		"-Wunused-parameter -Wcast-align -Wchar-subscripts -Winline -Wredundant-decls -MD -MT gm.o -MF gm.o.d -o gm.o " +
		"-c /src/gt/googlemock/src/gmock-all.cc",
		[]string{"gm.o", "gm.o.d"}},
	{"/usr/bin/clang++ -DLEVELDB_COMPILE_LIBRARY -DLEVELDB_PLATFORM_POSIX=1 -I/build/include -I/src/leveldb/. " +
		"-I/src/leveldb/include -fno-exceptions -g -Werror -Wthread-safety -std=c++11 -MD -MT b.o -MF b.o.d -o b.o " +
		"-c /src/leveldb/db/builder.cc",
		[]string{"b.o", "b.o.d"}},
	{"gcc -O3 -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -I. -c -o example.o test/example.c", []string{"example.o"}},
	{"gcc -O3 -fPIC -D_LARGEFILE64_SOURCE=1 -DHAVE_HIDDEN -DPIC -c -o objs/adler32.o adler32.c", []string{"objs/adler32.o"}},
	{"gcc -Wp,-MMD,kernel/.fork.o.d -nostdinc -I./arch/x86/include -I./include -include ./include/linux/compiler-version.h " +
		"-D__KERNEL__ -fmacro-prefix-map=./= -Wall -std=gnu11 -fno-PIE -mno-sse -mno-red-zone -mcmodel=kernel " +
		"-fno-asynchronous-unwind-tables -O2 -fno-stack-protector -DKBUILD_MODNAME='\"fork\"' -c -o kernel/fork.o kernel/fork.c",
		[]string{"kernel/fork.o", "kernel/.fork.o.d"}},
}

func TestParseRealWorld(t *testing.T) {
	for _, tt := range realWorld {
		inv, err := Parse(strings.Fields(tt.cmd), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if !inv.Remotable {
			t.Errorf("%s: not remotable: %s", tt.cmd, inv.Reason)
			continue
		}
		if diff := cmp.Diff(tt.outputs, inv.Outputs); diff != "" {
			t.Errorf("%s: Outputs mismatch (-want +got):\n%s", tt.cmd, diff)
		}
		for _, a := range inv.DepsArgs() {
			if a == "-c" || a == "-MD" || a == "-MF" || a == "-o" || strings.HasPrefix(a, "-Wp,-MMD") {
				t.Errorf("%s: DepsArgs keeps %s", tt.cmd, a)
			}
		}
	}
}
