package compilecmd

import (
	"bufio"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Defaults of settings both binaries read.
const (
	DefaultServer         = "grpc://127.0.0.1:8980"
	DefaultLocalCacheSize = "4GiB"
)

// Commands are rex's commands (and their aliases): a first argument that
// names one is not a compiler.
var Commands = []string{"stats", "explain", "doctor", "plan", "relay", "help", "h"}

// IsCompile says whether rex's first argument starts a compiler command:
// not a rex option, not one of rex's commands.
func IsCompile(arg string) bool {
	if arg == "" || arg[0] == '-' {
		return false
	}
	return !slices.Contains(Commands, arg)
}

// LoadConfigFile reads REX_CONFIG (default $XDG_CONFIG_HOME/rex/rex.conf):
// lines of REX_NAME=value that act as defaults for unset variables.
func LoadConfigFile() {
	path := os.Getenv("REX_CONFIG")
	if path == "" {
		base := os.Getenv("XDG_CONFIG_HOME")
		if base == "" {
			base = filepath.Join(os.Getenv("HOME"), ".config")
		}
		path = filepath.Join(base, "rex", "rex.conf")
	}
	f, err := os.Open(path)
	if err != nil {
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		name, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") || !strings.HasPrefix(name, "REX_") {
			continue
		}
		if _, set := os.LookupEnv(strings.TrimSpace(name)); !set {
			os.Setenv(strings.TrimSpace(name), strings.TrimSpace(value))
		}
	}
}

// StateDir is the client's state directory: dir (--dir, REX_DIR) when
// set, else $XDG_CACHE_HOME/rex.
func StateDir(dir string) string {
	if dir != "" {
		return dir
	}
	base := os.Getenv("XDG_CACHE_HOME")
	if base == "" {
		base = filepath.Join(os.Getenv("HOME"), ".cache")
	}
	return filepath.Join(base, "rex")
}

// Prefixed collects PREFIX<name>=value variables, naming each by rename
// (nil: by name).
func Prefixed(prefix string, rename func(string) string) map[string]string {
	var m map[string]string
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(name, prefix) || len(name) == len(prefix) {
			continue
		}
		if m == nil {
			m = map[string]string{}
		}
		key := name[len(prefix):]
		if rename != nil {
			key = rename(key)
		}
		m[key] = value
	}
	return m
}

// HeaderName turns REX_HEADER_X_API_KEY into the header "x-api-key".
func HeaderName(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
}
