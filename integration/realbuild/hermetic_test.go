package realbuild

import (
	"os"
	"testing"

	"github.com/rexbuild/rex/integration/testenv"
)

// startServer starts the rex-server a project builds against: with two
// embedded workers, or, for a hermetic build, with none and one rex-worker
// whose actions see only their input root (--sandbox hermetic): no
// compiler of its own, so every remote compile runs the toolchain rex sent.
func startServer(t *testing.T, p *project) *testenv.Server {
	if !p.hermetic {
		return testenv.StartServer(t, "", "--workers", "2")
	}
	if os.Geteuid() != 0 {
		t.Skip("the hermetic sandbox needs root")
	}
	srv := testenv.StartServer(t, "", "--workers", "0")
	testenv.StartWorker(t, srv.Addr, "--sandbox", "hermetic", "--concurrency", "2")
	return srv
}

// TestHermeticZlib is TestZlib with rex --hermetic: the same objects, all
// compiled remotely with the toolchain rex sent, hits for a second checkout
// with its own REX_DIR, and a header edit rebuilding its includers.
func TestHermeticZlib(t *testing.T) {
	runProject(t, &project{
		name: "zlib-hermetic", pkg: "zlib", header: "inftrees.h", hermetic: true,
		configOutputs: []string{"zconf.h", "Makefile"},
		includers: []string{
			"infback.o", "inffast.o", "inflate.o", "inftrees.o",
			"infback.lo", "inffast.lo", "inflate.lo", "inftrees.lo",
		},
	})
}

// TestHermeticGoogletest is TestGoogletest with rex --hermetic.
func TestHermeticGoogletest(t *testing.T) {
	runProject(t, &project{
		name: "googletest-hermetic", pkg: "googletest", generator: "Ninja", hermetic: true,
		cmakeArgs: []string{"-Dgtest_build_samples=ON"},
		header:    "googlemock/include/gmock/gmock-matchers.h",
		prefixMap: true,
	})
}
