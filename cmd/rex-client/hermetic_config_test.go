package main

import "testing"

// TestHermeticConfig: --hermetic and REX_HERMETIC turn hermetic mode on;
// it is off by default.
func TestHermeticConfig(t *testing.T) {
	if cfg, err := configOf(t); err != nil || cfg.Hermetic {
		t.Errorf("default: Hermetic %v, %v", cfg.Hermetic, err)
	}
	if cfg, err := configOf(t, "--hermetic"); err != nil || !cfg.Hermetic {
		t.Errorf("--hermetic: Hermetic %v, %v", cfg.Hermetic, err)
	}
	t.Setenv("REX_HERMETIC", "1")
	if cfg, err := configOf(t); err != nil || !cfg.Hermetic {
		t.Errorf("REX_HERMETIC=1: Hermetic %v, %v", cfg.Hermetic, err)
	}
}
