package worker

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// SandboxMode says how a worker isolates the commands it runs.
type SandboxMode string

const (
	// SandboxAuto isolates with namespaces when the probe at start-up
	// succeeds; otherwise the worker keeps running but fails every action
	// with FAILED_PRECONDITION, never running it unisolated.
	SandboxAuto SandboxMode = "auto"
	// SandboxNone runs commands in a process group of their own, unisolated.
	SandboxNone SandboxMode = "none"
	// SandboxNamespaces requires namespaces: Run fails if they do not work.
	SandboxNamespaces SandboxMode = "namespaces"
	// SandboxHermetic is the namespace sandbox with the action's input
	// root as its "/" (see hermetic.go): the action brings its toolchain.
	// Like SandboxNamespaces, the worker stops if it cannot be built.
	SandboxHermetic SandboxMode = "hermetic"
)

// Options configure a Worker. Zero fields take the defaults noted.
type Options struct {
	// ID names the worker to the server (default: host name and pid).
	ID string
	// Dir holds the actions' directories (Dir/actions/...). Required.
	Dir string
	// Platform lists the properties this worker offers.
	Platform map[string]string
	// Concurrency is the number of actions run at once (default 1).
	Concurrency int
	// Sandbox chooses the isolation (default SandboxAuto).
	Sandbox SandboxMode
	// Jail configures the namespace sandbox: who actions run as, what
	// they see, and their limits.
	Jail JailOptions
	// CacheBytes bounds the worker's file cache, from which input roots
	// are built by hard links (default 4 GiB; files still linked by a
	// running action outlive their eviction).
	CacheBytes int64
	// MaxOutputBytes caps stdout and stderr each (default 64 MiB); an
	// action that writes more fails with RESOURCE_EXHAUSTED.
	MaxOutputBytes int64
	// DefaultTimeout applies when a lease carries no timeout (default 15 min).
	DefaultTimeout time.Duration
	// LeaseWait is how long one Lease call may wait for work (default 30 s).
	LeaseWait time.Duration
	// DefaultPath finds a bare argv[0] when the Command sets no PATH
	// (default /usr/local/bin:/usr/bin:/bin).
	DefaultPath string
	// CASFor opens a CAS client for leases whose digest function or
	// instance differ from those of the client given to New; the worker
	// keeps one per pair. Nil: such leases fail with FAILED_PRECONDITION.
	CASFor func(fn digest.Function, instance string) (*client.Client, error)
	// Store, when set, is the server's own blob store: a worker embedded
	// in rex-server reads inputs from it and writes outputs to it directly,
	// for every lease, and never uses the CAS client given to New.
	Store cas.BlobStore
	// Directories, with Store, keeps the input Directory messages the
	// worker reads from the store; rex-server passes the one its Execute
	// checks fill (default: the worker's own).
	Directories *cas.Directories
	// AdoptFile, with Store, moves a jailed action's output file (whose
	// digest the worker computed) into the store instead of copying it
	// (cas.Disk.AdoptFile).
	AdoptFile func(ctx context.Context, k cas.Key, path string) error
	// Spawner is the command that runs this binary as the sandbox's
	// spawner (os.Executable() with SpawnerArg; see spawner): jailed
	// commands start from that small process instead of the worker's.
	// Nil, or a spawner that does not start: they start from the worker.
	Spawner []string
	// Logf reports what an operator should see (default: discard).
	Logf func(format string, args ...any)

	// probe replaces the start-up check of the sandbox (tests simulate a
	// host where it cannot be built).
	probe func(ctx context.Context, opts Options) error
}

const (
	defaultMaxOutput       = 64 << 20
	defaultTimeout         = 15 * time.Minute
	defaultLeaseWait       = 30 * time.Second
	defaultHeartbeat       = 10 * time.Second
	defaultSearchPath      = "/usr/local/bin:/usr/bin:/bin"
	defaultCacheBytes      = 4 << 30
	actionsSubdir          = "actions"
	cacheSubdir            = "cache"
	dirCacheSubdir         = "dirs"
	sandboxProbeSubdir     = "probe"
	maxLeaseErrorBackoff   = 5 * time.Second
	firstLeaseErrorBackoff = 100 * time.Millisecond
)

// withDefaults validates opts and fills the zero fields.
func (o Options) withDefaults() (Options, error) {
	if o.Dir == "" {
		return o, fmt.Errorf("worker: Dir is required")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return o, fmt.Errorf("worker: %w", err)
	}
	o.Dir = dir
	if o.ID == "" {
		host, _ := os.Hostname()
		o.ID = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 1
	}
	switch o.Sandbox {
	case "":
		o.Sandbox = SandboxAuto
	case SandboxAuto, SandboxNone, SandboxNamespaces, SandboxHermetic:
	default:
		return o, fmt.Errorf("worker: unknown sandbox mode %q (want auto, none, namespaces or hermetic)", o.Sandbox)
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = defaultCacheBytes
	}
	if o.MaxOutputBytes <= 0 {
		o.MaxOutputBytes = defaultMaxOutput
	}
	if o.DefaultTimeout <= 0 {
		o.DefaultTimeout = defaultTimeout
	}
	if o.LeaseWait <= 0 {
		o.LeaseWait = defaultLeaseWait
	}
	if o.DefaultPath == "" {
		o.DefaultPath = defaultSearchPath
	}
	if o.Jail, err = o.Jail.withDefaults(); err != nil {
		return o, err
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
	return o, nil
}
