package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/wrapper"
)

// configOf runs rex's flag definitions over args and returns the config.
func configOf(t *testing.T, args ...string) (wrapper.Config, error) {
	t.Helper()
	app := &cli.App{Name: "rex", Flags: flags(), Writer: io.Discard, ErrWriter: io.Discard}
	var cfg wrapper.Config
	var err error
	app.Action = func(c *cli.Context) error {
		cfg, err = wrapperConfig(c)
		return nil
	}
	if runErr := app.Run(append([]string{"rex"}, args...)); runErr != nil {
		return cfg, runErr
	}
	return cfg, err
}

func TestTokenConfig(t *testing.T) {
	file := filepath.Join(t.TempDir(), "token")
	os.WriteFile(file, []byte("from-file\n"), 0o600)
	t.Setenv("REX_TOKEN_FILE", file)
	if cfg, err := configOf(t); err != nil || cfg.Client.Token != "from-file" {
		t.Errorf("REX_TOKEN_FILE: token %q, %v", cfg.Client.Token, err)
	}
	// A flag wins over the environment.
	if cfg, err := configOf(t, "--token-file", "", "--token", "from-flag"); err != nil || cfg.Client.Token != "from-flag" {
		t.Errorf("--token over REX_TOKEN_FILE: token %q, %v", cfg.Client.Token, err)
	}
	t.Setenv("REX_TOKEN", "from-env")
	if _, err := configOf(t); err == nil {
		t.Error("REX_TOKEN and REX_TOKEN_FILE both set: accepted")
	}
	t.Setenv("REX_TOKEN_FILE", "")
	t.Setenv("REX_HEADER_X_TEAM", "a")
	cfg, err := configOf(t)
	if err != nil || cfg.Client.Token != "from-env" || cfg.Client.Headers["x-team"] != "a" {
		t.Errorf("REX_TOKEN with REX_HEADER_X_TEAM: %q %v, %v", cfg.Client.Token, cfg.Client.Headers, err)
	}
}
