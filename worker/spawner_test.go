package worker

import (
	"fmt"
	"os"
	"testing"
)

// TestMain lets this test binary serve as the sandbox's spawner, as
// rex-server and rex-worker do (see requireSandbox).
func TestMain(m *testing.M) {
	if IsSpawnerCall(os.Args) {
		if err := RunSpawner(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// testSpawner is the command that runs this test binary as a spawner.
func testSpawner(t testing.TB) []string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return []string{exe, SpawnerArg}
}
