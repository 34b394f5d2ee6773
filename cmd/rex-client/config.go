package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/cmd/internal/compilecmd"
	"github.com/rexbuild/rex/cmd/internal/osfamily"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/endpoint"
	"github.com/rexbuild/rex/wrapper"
)

// flags are rex's own options. Each has a REX_* variable; a value on the
// command line wins over the environment, which wins over the config file.
func flags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "server", EnvVars: []string{"REX_SERVER"}, Value: compilecmd.DefaultServer,
			Usage: "REAPI server: grpc://host:port, grpcs://host:port or unix:///path; \"none\" for the local cache alone"},
		&cli.BoolFlag{Name: "direct", EnvVars: []string{"REX_DIRECT"}, Value: true,
			Usage: "skip the dependency scan when nothing the compile read or searched has changed"},
		&cli.StringFlag{Name: "local-cache-size", EnvVars: []string{"REX_LOCAL_CACHE_SIZE"}, Value: compilecmd.DefaultLocalCacheSize,
			Usage: "bound of the local result cache under --dir (bytes, or with KiB/MiB/GiB); 0 turns it off"},
		&cli.StringFlag{Name: "cas-server", EnvVars: []string{"REX_CAS_SERVER"}, Usage: "separate CAS server, if any"},
		&cli.StringFlag{Name: "instance", EnvVars: []string{"REX_INSTANCE"}, Usage: "REAPI instance name"},
		&cli.StringFlag{Name: "project-root", EnvVars: []string{"REX_PROJECT_ROOT"},
			Usage: "files under it are uploaded; the rest must exist on workers (default: git top level, else cwd)"},
		&cli.BoolFlag{Name: "cache-only", EnvVars: []string{"REX_CACHE_ONLY"},
			Usage: "compile locally; read and fill the remote cache"},
		&cli.BoolFlag{Name: "hermetic", EnvVars: []string{"REX_HERMETIC"},
			Usage: "send the compiler, its libraries and the system headers with each action, for workers run with their input root as / (rex-worker --sandbox hermetic, Buildbarn's chrootIntoInputRoot)"},
		&cli.BoolFlag{Name: "verify", EnvVars: []string{"REX_VERIFY"},
			Usage: "compile locally as well on every remote outcome, serve the local outputs and report any difference"},
		&cli.Float64Flag{Name: "verify-rate", EnvVars: []string{"REX_VERIFY_RATE"},
			Usage: "verify this share (0 to 1) of remote outcomes, chosen at random"},
		&cli.StringFlag{Name: "dir", EnvVars: []string{"REX_DIR"}, Usage: "client state (default $XDG_CACHE_HOME/rex)"},
		&cli.BoolFlag{Name: "verbose", EnvVars: []string{"REX_VERBOSE"}, Usage: "say how each compile ran"},
		&cli.StringFlag{Name: "log-file", EnvVars: []string{"REX_LOG_FILE"},
			Usage: "append rex's own messages here instead of stderr (keeps ./configure checks clean)"},
		&cli.StringFlag{Name: "digest-function", EnvVars: []string{"REX_DIGEST_FUNCTION"}, Value: "sha256",
			Usage: "sha256, or blake3 when the server offers it"},
		&cli.StringFlag{Name: "tls-ca-cert", EnvVars: []string{"REX_TLS_CA_CERT"}, Usage: "CA bundle for grpcs://"},
		&cli.StringFlag{Name: "tls-client-cert", EnvVars: []string{"REX_TLS_CLIENT_CERT"}, Usage: "client certificate for grpcs://"},
		&cli.StringFlag{Name: "tls-client-key", EnvVars: []string{"REX_TLS_CLIENT_KEY"}, Usage: "client key for grpcs://"},
		&cli.StringFlag{Name: "token", EnvVars: []string{"REX_TOKEN"},
			Usage: "sent as \"authorization: Bearer <token>\" (prefer --token-file: the environment leaks into logs)"},
		&cli.StringFlag{Name: "token-file", EnvVars: []string{"REX_TOKEN_FILE"}, Usage: "file holding the token"},
		&cli.StringFlag{Name: "relay", EnvVars: []string{"REX_RELAY"}, Value: "auto",
			Usage: "keep the connection to a distant server open between compiles, in a background process per user: auto (servers not on this machine), always, off"},
		&cli.StringFlag{Name: "build-id", EnvVars: []string{"REX_BUILD_ID"},
			Usage: "groups one build's compiles for `rex stats --build ID`"},
	}
}

func stateDir(c *cli.Context) string { return compilecmd.StateDir(c.String("dir")) }

func wrapperConfig(c *cli.Context) (wrapper.Config, error) {
	fn, err := digest.FunctionFromName(c.String("digest-function"))
	if err != nil {
		return wrapper.Config{}, fmt.Errorf("--digest-function (REX_DIGEST_FUNCTION): %w", err)
	}
	token, err := endpoint.ReadToken(c.String("token"), c.String("token-file"))
	if err != nil {
		return wrapper.Config{}, err
	}
	rate, err := verifyRate(c)
	if err != nil {
		return wrapper.Config{}, err
	}
	localSize, err := bytesize.Parse(c.String("local-cache-size"))
	if err != nil {
		return wrapper.Config{}, fmt.Errorf("--local-cache-size (REX_LOCAL_CACHE_SIZE): %w", err)
	}
	server := c.String("server")
	if server == "none" {
		server = ""
	}
	state := stateDir(c)
	relays, err := relayConfig(c, state)
	if err != nil {
		return wrapper.Config{}, err
	}
	return wrapper.Config{
		Client: client.Config{
			Token:          token,
			Server:         server,
			CASServer:      c.String("cas-server"),
			Instance:       c.String("instance"),
			DigestFunction: fn,
			TLSCAFile:      c.String("tls-ca-cert"),
			TLSCertFile:    c.String("tls-client-cert"),
			TLSKeyFile:     c.String("tls-client-key"),
			Headers:        compilecmd.Prefixed("REX_HEADER_", compilecmd.HeaderName),
			ToolVersion:    version,
			Relay:          relays,
		},
		ProjectRoot:    c.String("project-root"),
		CacheOnly:      c.Bool("cache-only"),
		Hermetic:       c.Bool("hermetic"),
		StateDir:       state,
		Platform:       osfamily.With(compilecmd.Prefixed("REX_REMOTE_PLATFORM_", nil)),
		VerifyRate:     rate,
		Direct:         c.Bool("direct"),
		ServerImplicit: !c.IsSet("server"),
		LocalCacheSize: localSize,
	}, nil
}

// verifyRate is 1 under --verify, else --verify-rate, which must be a share.
func verifyRate(c *cli.Context) (float64, error) {
	if c.Bool("verify") {
		return 1, nil
	}
	rate := c.Float64("verify-rate")
	if !(rate >= 0 && rate <= 1) {
		return 0, fmt.Errorf("--verify-rate (REX_VERIFY_RATE) %v: want a share from 0 to 1", rate)
	}
	return rate, nil
}
