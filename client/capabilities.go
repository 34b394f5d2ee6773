package client

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"google.golang.org/protobuf/proto"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/atomicfile"
	"github.com/rexbuild/rex/digest"
)

// Capabilities asks the server what it supports. A successful answer is
// cached for the life of the Client.
func (c *Client) Capabilities(ctx context.Context) (*repb.ServerCapabilities, error) {
	c.mu.Lock()
	cached := c.capsVal
	c.mu.Unlock()
	if cached != nil {
		return cached, nil
	}
	caps := c.storedCapabilities()
	if caps != nil {
		c.mu.Lock()
		c.capsVal = caps
		c.mu.Unlock()
		return caps, nil
	}
	err := c.retry(ctx, c.conn, c.cfg.RPCTimeout, func(ctx context.Context) error {
		var err error
		caps, err = c.caps.GetCapabilities(ctx, &repb.GetCapabilitiesRequest{InstanceName: c.cfg.Instance})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("capabilities: %w", err)
	}
	c.mu.Lock()
	c.capsVal = caps
	c.mu.Unlock()
	c.storeCapabilities(caps)
	return caps, nil
}

// storedCapabilities reads Config.CapabilitiesFile while it is fresh.
func (c *Client) storedCapabilities() *repb.ServerCapabilities {
	path := c.cfg.CapabilitiesFile
	if path == "" {
		return nil
	}
	st, err := os.Stat(path)
	if err != nil || time.Since(st.ModTime()) > c.cfg.CapabilitiesMaxAge {
		return nil
	}
	data, err := os.ReadFile(path)
	var caps repb.ServerCapabilities
	if err != nil || proto.Unmarshal(data, &caps) != nil {
		return nil
	}
	return &caps
}

// storeCapabilities writes the answer for later processes; a failure
// costs one of them a round trip.
func (c *Client) storeCapabilities(caps *repb.ServerCapabilities) {
	path := c.cfg.CapabilitiesFile
	if path == "" {
		return
	}
	data, err := proto.Marshal(caps)
	if err != nil || os.MkdirAll(filepath.Dir(path), 0o755) != nil {
		return
	}
	atomicfile.Write(path, data, 0o600)
}

// ForgetCapabilities removes the stored Capabilities, after a failure they
// may explain (a server replaced by another at the same address).
func (c *Client) ForgetCapabilities() {
	if c.cfg.CapabilitiesFile != "" {
		os.Remove(c.cfg.CapabilitiesFile)
	}
}

// Function returns the digest function every request uses. With
// Config.DigestFunction zero or SHA-256 it answers SHA-256 without an RPC;
// BLAKE3 costs one Capabilities call and falls back to SHA-256 if the server
// does not list it.
func (c *Client) Function(ctx context.Context) (digest.Function, error) {
	want := c.cfg.DigestFunction
	if want == (digest.Function{}) || want == digest.SHA256 {
		return digest.SHA256, nil
	}
	c.mu.Lock()
	fn := c.fn
	c.mu.Unlock()
	if fn != (digest.Function{}) {
		return fn, nil
	}
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return digest.Function{}, err
	}
	fn = digest.SHA256
	if slices.Contains(caps.GetCacheCapabilities().GetDigestFunctions(), want.Proto()) {
		fn = want
	}
	c.mu.Lock()
	c.fn = fn
	c.mu.Unlock()
	return fn, nil
}

// Overheads counted against the batch limit: a whole request's fixed fields,
// and each blob's digest, status and framing.
const (
	requestOverhead = 1 << 10
	perBlobOverhead = 256
)

// batchLimit is the byte budget of one batch request's blob data. It uses the
// server's max_batch_total_size_bytes when Capabilities has already been
// fetched, capped by Config.MaxBatchBytes (4 MiB unless lowered). Batch
// calls do not fetch it up front, since start-up must stay cheap: a server
// with a smaller limit refuses the first batch, and learnBatchLimit then
// fetches it once per Client (setting Config.MaxBatchBytes avoids that).
func (c *Client) batchLimit() int64 {
	limit := c.cfg.MaxBatchBytes
	c.mu.Lock()
	caps := c.capsVal
	c.mu.Unlock()
	if n := caps.GetCacheCapabilities().GetMaxBatchTotalSizeBytes(); n > 0 && n < limit {
		limit = n
	}
	return limit - requestOverhead
}

// limitKnown reports whether Capabilities has been fetched.
func (c *Client) limitKnown() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.capsVal != nil
}

// fitsBatch reports whether a blob of this size goes through batch RPCs
// rather than ByteStream.
func (c *Client) fitsBatch(size int64) bool {
	return size+perBlobOverhead <= c.batchLimit()
}
