package main

import (
	"testing"

	"github.com/rexbuild/rex/worker"
)

// TestSandboxHermetic: --sandbox hermetic is a mode of its own.
func TestSandboxHermetic(t *testing.T) {
	opts, err := parse(t, "--dir", "/w", "--sandbox", "hermetic")
	if err != nil || opts.Sandbox != worker.SandboxHermetic {
		t.Errorf("--sandbox hermetic: %q, %v", opts.Sandbox, err)
	}
}
