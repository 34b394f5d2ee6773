package main

import (
	"os"
	"strconv"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/cmd/internal/osfamily"
	"github.com/rexbuild/rex/digest"
)

// config is what the front end reads of rex's settings (REX_* variables,
// the config file's among them): those that name a compile's record and
// where its result is kept. rex-client declares them all, as flags too.
type config struct {
	stateDir    string
	cacheSize   int64
	function    string
	projectRoot string
	cacheOnly   bool
	platform    map[string]string
	buildID     string
	// The server, "" for none, and how rex-client talks to it.
	server, casServer, instance string
	token, tokenFile            string
	headers                     map[string]string
	relay                       string
	// verbose says how each compile ran, in logFile or on a terminal.
	verbose bool
	logFile string
}

// frontConfig reads the settings. ok is false when one of them asks for
// what only rex-client does (verification, hermetic actions, no direct
// mode) or does not parse: the full client then says
// what is wrong.
func frontConfig() (cfg config, ok bool) {
	for _, name := range []string{"REX_VERIFY", "REX_HERMETIC"} {
		if on, valid := boolEnv(name, false); on || !valid {
			return cfg, false
		}
	}
	verbose, valid := boolEnv("REX_VERBOSE", false)
	if !valid {
		return cfg, false
	}
	if direct, valid := boolEnv("REX_DIRECT", true); !direct || !valid {
		return cfg, false
	}
	if rate := os.Getenv("REX_VERIFY_RATE"); rate != "" {
		if r, err := strconv.ParseFloat(rate, 64); err != nil || r != 0 {
			return cfg, false
		}
	}
	size, set := os.LookupEnv("REX_LOCAL_CACHE_SIZE")
	if !set {
		size = compilecmd.DefaultLocalCacheSize
	}
	n, err := bytesize.Parse(size)
	if err != nil || n < 0 {
		return cfg, false
	}
	fn, set := os.LookupEnv("REX_DIGEST_FUNCTION")
	if !set {
		fn = digest.SHA256.Name()
	}
	if _, err := digest.FunctionFromName(fn); err != nil {
		return cfg, false
	}
	cacheOnly, valid := boolEnv("REX_CACHE_ONLY", false)
	if !valid {
		return cfg, false
	}
	relay, set := os.LookupEnv("REX_RELAY")
	if !set {
		relay = "auto"
	}
	if relay != "auto" && relay != "always" && relay != "off" {
		return cfg, false
	}
	server, set := os.LookupEnv("REX_SERVER")
	if !set {
		server = compilecmd.DefaultServer
	}
	if server == "none" {
		server = ""
	}
	return config{
		stateDir: compilecmd.StateDir(os.Getenv("REX_DIR")), cacheSize: n, function: fn,
		projectRoot: os.Getenv("REX_PROJECT_ROOT"), cacheOnly: cacheOnly,
		platform: osfamily.With(compilecmd.Prefixed("REX_REMOTE_PLATFORM_", nil)), buildID: os.Getenv("REX_BUILD_ID"),
		server: server, casServer: os.Getenv("REX_CAS_SERVER"), instance: os.Getenv("REX_INSTANCE"),
		token: os.Getenv("REX_TOKEN"), tokenFile: os.Getenv("REX_TOKEN_FILE"),
		headers: compilecmd.Prefixed("REX_HEADER_", compilecmd.HeaderName), relay: relay,
		verbose: verbose, logFile: os.Getenv("REX_LOG_FILE"),
	}, true
}

// boolEnv reads a boolean variable as rex-client's flags do (an empty
// value is false); valid is false for a value they would refuse.
func boolEnv(name string, unset bool) (on, valid bool) {
	v, set := os.LookupEnv(name)
	switch {
	case !set:
		return unset, true
	case v == "":
		return false, true
	}
	on, err := strconv.ParseBool(v)
	return on, err == nil
}
