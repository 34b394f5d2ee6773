package main

import (
	"os"
	"testing"
)

// The front end serves a compile only under settings it reads as
// rex-client does; anything else (an option of rex-client's alone, a value
// rex-client would refuse) goes to rex-client.
func TestFrontConfig(t *testing.T) {
	for _, tt := range []struct {
		env   map[string]string
		serve bool
	}{
		{nil, true},
		{map[string]string{"REX_VERBOSE": "1"}, true},
		{map[string]string{"REX_VERBOSE": "false"}, true},
		{map[string]string{"REX_VERBOSE": ""}, true}, // rex-client reads an empty boolean as false
		{map[string]string{"REX_VERBOSE": "yes"}, false},
		{map[string]string{"REX_VERIFY": "true"}, false},
		{map[string]string{"REX_VERIFY_RATE": "0.5"}, false},
		{map[string]string{"REX_VERIFY_RATE": "0"}, true},
		{map[string]string{"REX_HERMETIC": "1"}, false},
		{map[string]string{"REX_DIRECT": "0"}, false},
		{map[string]string{"REX_DIRECT": ""}, false},
		{map[string]string{"REX_DIRECT": "true"}, true},
		{map[string]string{"REX_LOCAL_CACHE_SIZE": "0"}, true}, // records alone: hits come from the server
		{map[string]string{"REX_LOCAL_CACHE_SIZE": ""}, true},  // 0, as rex-client reads it
		{map[string]string{"REX_LOCAL_CACHE_SIZE": "1GiB"}, true},
		{map[string]string{"REX_LOCAL_CACHE_SIZE": "lots"}, false},
		{map[string]string{"REX_DIGEST_FUNCTION": "blake3"}, true},
		{map[string]string{"REX_DIGEST_FUNCTION": "md5"}, false},
		{map[string]string{"REX_CACHE_ONLY": "maybe"}, false},
		{map[string]string{"REX_RELAY": "sometimes"}, false},
	} {
		for _, name := range []string{"REX_VERBOSE", "REX_VERIFY", "REX_VERIFY_RATE", "REX_HERMETIC", "REX_DIRECT",
			"REX_LOCAL_CACHE_SIZE", "REX_DIGEST_FUNCTION", "REX_CACHE_ONLY", "REX_RELAY"} {
			value, set := tt.env[name]
			if set {
				t.Setenv(name, value)
			} else {
				t.Setenv(name, "")
				unsetenv(t, name)
			}
		}
		if _, ok := frontConfig(); ok != tt.serve {
			t.Errorf("%v: serves %v, want %v", tt.env, ok, tt.serve)
		}
	}
}

func TestFrontConfigReadsTheKeysSettings(t *testing.T) {
	t.Setenv("REX_DIR", "/state")
	t.Setenv("REX_PROJECT_ROOT", "/src")
	t.Setenv("REX_CACHE_ONLY", "1")
	t.Setenv("REX_REMOTE_PLATFORM_OSFamily", "linux")
	t.Setenv("REX_BUILD_ID", "b1")
	cfg, ok := frontConfig()
	if !ok || cfg.stateDir != "/state" || cfg.projectRoot != "/src" || !cfg.cacheOnly ||
		cfg.platform["OSFamily"] != "linux" || cfg.buildID != "b1" || cfg.function != "sha256" || cfg.cacheSize != 4<<30 {
		t.Errorf("config %+v, %v", cfg, ok)
	}
}

// unsetenv removes name for the rest of the test (t.Setenv restores it).
func unsetenv(t *testing.T, name string) {
	t.Helper()
	if err := os.Unsetenv(name); err != nil {
		t.Fatal(err)
	}
}
