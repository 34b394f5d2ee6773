package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"path/filepath"
	"sync"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/worker"
)

// pipeListener is an in-memory listener: the embedded workers reach the
// server through it, so that they need neither the TLS certificate nor a
// port, and nobody else can use their connection.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

// Dial connects to the listener; it has client.Config.Dialer's signature.
func (l *pipeListener) Dial(ctx context.Context, _ string) (net.Conn, error) {
	server, c := net.Pipe()
	select {
	case l.conns <- server:
		return c, nil
	case <-l.done:
		return nil, errors.New("embedded listener closed")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "embedded" }

// runWorkers runs the embedded workers: the same worker as rex-worker,
// leasing work from this server over gRPC through lis with the internal
// token, but reading inputs from and writing outputs to disk, the server's
// own store, directly: outputs are moved into it, not copied. They share
// the Directories that Execute's checks read.
func runWorkers(ctx context.Context, cfg config, lis *pipeListener, token string, svc *services) error {
	ccfg := client.Config{Server: "grpc://embedded:0", Token: token, Dialer: lis.Dial, ToolVersion: "rex-server/" + version}
	c, err := client.Dial(ctx, ccfg)
	if err != nil {
		return err
	}
	defer c.Close()
	w := worker.New(c.Conn(), c, worker.Options{
		ID:          "embedded",
		Dir:         filepath.Join(cfg.dir, "work"),
		Platform:    cfg.platform,
		Concurrency: cfg.workers,
		Sandbox:     worker.SandboxMode(cfg.sandbox),
		Jail:        cfg.jail,
		CacheBytes:  cfg.workerCache,
		Store:       svc.disk.Blobs(),
		Directories: svc.dirs,
		AdoptFile:   svc.disk.AdoptFile,
		Spawner:     worker.SelfSpawner(),
		Logf:        log.Printf,
	})
	if err := w.Run(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("embedded workers: %w", err)
	}
	return nil
}
