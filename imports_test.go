package rex_test

import (
	"os/exec"
	"strings"
	"testing"
)

// rex runs once per compile: it must not link the server side in.
func TestWrapperImportsNoServerCode(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "./cmd/rex", "./cmd/rex-client").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		for _, banned := range []string{"/server", "/cas", "/worker", "/execution", "/monitor"} {
			if strings.HasPrefix(pkg, "github.com/rexbuild/rex"+banned) {
				t.Errorf("the client imports %s", pkg)
			}
		}
	}
}
