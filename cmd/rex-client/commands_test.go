package main

import (
	"slices"
	"testing"

	"github.com/rexbuild/rex/cmd/internal/compilecmd"
)

// The front end hands a first argument that names a command to rex-client
// rather than run it as a compiler: it must know every one.
func TestFrontEndKnowsEveryCommand(t *testing.T) {
	for _, c := range newApp().Commands {
		for _, name := range append([]string{c.Name}, c.Aliases...) {
			if !slices.Contains(compilecmd.Commands, name) {
				t.Errorf("command %q is not in compilecmd.Commands", name)
			}
		}
	}
}
