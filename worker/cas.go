package worker

import (
	"context"
	"fmt"
	"sync"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/workerpb"
)

// casStore is the CAS traffic of one lease, under the lease's digest
// function and instance. *client.Client provides it.
type casStore interface {
	ReadBlob(ctx context.Context, d digest.Digest) ([]byte, error)
	ReadBlobs(ctx context.Context, ds []digest.Digest) (map[digest.Digest][]byte, error)
	DownloadFile(ctx context.Context, d digest.Digest, path string, executable bool) error
	GetTree(ctx context.Context, root digest.Digest) (map[digest.Digest]*repb.Directory, error)
	Upload(ctx context.Context, blobs []client.Blob) error
}

// casKey names the CAS view a lease needs.
type casKey struct {
	fn       digest.Function
	instance string
}

// casClients hands out one CAS client per digest function and instance:
// the one given to New for its own pair, others from Options.CASFor; or,
// in a worker embedded in the server, views of the server's own store.
type casClients struct {
	local  cas.BlobStore // the server's own store, for embedded workers
	adopt  func(ctx context.Context, k cas.Key, path string) error
	base   *client.Client
	open   func(fn digest.Function, instance string) (*client.Client, error)
	mu     sync.Mutex
	opened map[casKey]*client.Client
}

// forLease returns the CAS view of a lease and its digest function.
func (c *casClients) forLease(ctx context.Context, lease *workerpb.LeaseResponse) (casStore, digest.Function, error) {
	fn := digest.SHA256
	if name := lease.GetDigestFunction(); name != "" {
		f, err := digest.FunctionFromName(name)
		if err != nil {
			return nil, fn, withCode(codes.InvalidArgument, fmt.Errorf("lease: %w", err))
		}
		fn = f
	}
	if c.local != nil {
		return localCAS{blobs: c.local, adopt: c.adopt, fn: fn}, fn, nil
	}
	have, err := c.base.Function(ctx)
	if err != nil {
		return nil, fn, fmt.Errorf("CAS digest function: %w", err)
	}
	if have == fn && c.base.Instance() == lease.GetInstanceName() {
		return c.base, fn, nil
	}
	cl, err := c.other(casKey{fn, lease.GetInstanceName()})
	return cl, fn, err
}

func (c *casClients) other(k casKey) (*client.Client, error) {
	if c.open == nil {
		return nil, withCode(codes.FailedPrecondition,
			fmt.Errorf("worker has no CAS client for %s in instance %q", k.fn, k.instance))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.opened[k]; ok {
		return cl, nil
	}
	cl, err := c.open(k.fn, k.instance)
	if err != nil {
		return nil, fmt.Errorf("CAS client for %s in %q: %w", k.fn, k.instance, err)
	}
	if c.opened == nil {
		c.opened = map[casKey]*client.Client{}
	}
	c.opened[k] = cl
	return cl, nil
}

// close releases the clients opened through Options.CASFor.
func (c *casClients) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cl := range c.opened {
		cl.Close()
	}
}

// missingAsPrecondition turns a CAS NOT_FOUND into FAILED_PRECONDITION: for
// an action, a missing input is the caller's to fix (the REAPI's convention).
func missingAsPrecondition(err error) error {
	if status.Code(err) == codes.NotFound {
		return withCode(codes.FailedPrecondition, fmt.Errorf("missing input: %w", err))
	}
	return err
}

// CASDialer returns an Options.CASFor that dials cfg's server again with
// the lease's digest function and instance (client.Dial is lazy and cheap).
func CASDialer(cfg client.Config) func(fn digest.Function, instance string) (*client.Client, error) {
	return func(fn digest.Function, instance string) (*client.Client, error) {
		c := cfg
		c.DigestFunction, c.Instance = fn, instance
		return client.Dial(context.Background(), c)
	}
}
