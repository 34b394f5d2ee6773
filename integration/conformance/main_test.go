package conformance

import (
	"flag"
	"fmt"
	"os"
	"testing"
)

// The suite starts a rex-server (or talks to a peer): not a unit test.
func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		fmt.Println("conformance: skipped in -short mode")
		os.Exit(0)
	}
	os.Exit(m.Run())
}
