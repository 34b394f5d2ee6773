package security

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/rexbuild/rex/integration/testenv"
)

const (
	execToken   = "exec-tok-5f2d7c1e9a"
	writeToken  = "write-tok-81b3e0d4c6"
	workerToken = "worker-tok-0c9e4a7b13"
)

const teamTokens = "# the team's tokens\n" +
	execToken + " execute\n" +
	writeToken + " execute,cache-write\n" +
	workerToken + " worker\n"

const helloSrc = `#include <cstdio>
int answer() { return 42; }
int main() { std::printf("%d\n", answer()); return 0; }
`

func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: builds and runs the binaries")
	}
}

// writeFile writes content to dir/name and returns the path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// tokensServer starts a rex-server whose tokens file is returned.
func tokensServer(t *testing.T, tokens string, extra ...string) (*testenv.Server, string) {
	t.Helper()
	file := writeFile(t, t.TempDir(), "tokens", tokens)
	srv := testenv.StartServer(t, "", append([]string{"--tokens", file}, extra...)...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("rex-server log:\n%s", srv.Log())
		}
	})
	return srv, file
}

// dial opens a plaintext connection to a grpc:// address.
func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	return dialWith(t, addr, insecure.NewCredentials())
}

func dialWith(t *testing.T, addr string, creds credentials.TransportCredentials) *grpc.ClientConn {
	t.Helper()
	hostport := addr[strings.Index(addr, "://")+3:]
	conn, err := grpc.NewClient("passthrough:///"+hostport, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// callCtx is a bounded context carrying token as a bearer token ("" for none).
func callCtx(t *testing.T, token string) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	if token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	return ctx
}

func capabilities(t *testing.T, conn *grpc.ClientConn, token string) error {
	_, err := repb.NewCapabilitiesClient(conn).GetCapabilities(callCtx(t, token), &repb.GetCapabilitiesRequest{})
	return err
}

// project is a source directory and one rex user's environment.
type project struct {
	t   *testing.T
	dir string
	env []string
}

func newProject(t *testing.T, server string, env ...string) *project {
	t.Helper()
	dir := t.TempDir()
	base := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LC_ALL=C",
		"REX_SERVER=" + server, "REX_DIR=" + t.TempDir()}
	p := &project{t: t, dir: dir, env: append(base, env...)}
	writeFile(t, dir, "hello.cpp", helloSrc)
	return p
}

// run runs argv in the project and returns its stderr; a failure is fatal.
func (p *project) run(argv ...string) string {
	p.t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir, cmd.Env = p.dir, p.env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if out, err := cmd.Output(); err != nil {
		p.t.Fatalf("%v: %v\n%s%s", argv, err, out, stderr.String())
	}
	return stderr.String()
}

func (p *project) rex(args ...string) string {
	p.t.Helper()
	return p.run(append([]string{testenv.Bin(p.t, "rex")}, args...)...)
}

// compile builds hello.o through rex and returns it, with what the build
// was counted as.
func (p *project) compile() ([]byte, counters) {
	p.t.Helper()
	p.rex("stats", "--zero")
	os.Remove(filepath.Join(p.dir, "hello.o"))
	p.rex("g++", "-c", "hello.cpp", "-o", "hello.o")
	return p.read("hello.o"), p.stats()
}

// local compiles hello.cpp with g++ itself, the reference object.
func (p *project) local() []byte {
	p.t.Helper()
	p.run("g++", "-c", "hello.cpp", "-o", "local.o")
	return p.read("local.o")
}

func (p *project) read(name string) []byte {
	p.t.Helper()
	b, err := os.ReadFile(filepath.Join(p.dir, name))
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

type counters struct {
	CacheHits        int `json:"cache_hits"`
	RemoteExecutions int `json:"remote_executions"`
	LocalFallbacks   int `json:"local_fallbacks"`
	LocalRuns        int `json:"local_runs"`
}

func (p *project) stats() counters {
	p.t.Helper()
	cmd := exec.Command(testenv.Bin(p.t, "rex"), "stats", "--json")
	cmd.Env = p.env
	out, err := cmd.Output()
	var c counters
	if err == nil {
		err = json.Unmarshal(out, &c)
	}
	if err != nil {
		p.t.Fatalf("rex stats --json: %q: %v", out, err)
	}
	return c
}

// stdout of `rex stats`, which names the last fallback's reason.
func (p *project) statsText() string {
	p.t.Helper()
	cmd := exec.Command(testenv.Bin(p.t, "rex"), "stats")
	cmd.Env = p.env
	out, err := cmd.Output()
	if err != nil && !errors.Is(err, exec.ErrNotFound) {
		p.t.Fatalf("rex stats: %v", err)
	}
	return string(out)
}

func requireGxx(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("g++"); err != nil {
		t.Skip("g++ is not installed")
	}
}

// logShows waits (up to a generous bound) for the server to have printed
// want: its output reaches the test through a pipe, after the RPC answered.
func logShows(srv *testenv.Server, want string) bool { return logCount(srv, want, 1) }

// logCount waits for want to appear at least n times in the server's log.
func logCount(srv *testenv.Server, want string, n int) bool {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if strings.Count(srv.Log(), want) >= n {
			return true
		}
	}
	return false
}
