package main

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"os"
	"path/filepath"
	"strings"

	"google.golang.org/grpc"

	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/execution"
	"github.com/rexbuild/rex/server"
	"github.com/rexbuild/rex/worker"
)

// serve wires the stores, the services and the embedded workers, and runs
// until ctx is done.
func serve(ctx context.Context, cfg config) error {
	disk, err := cas.OpenDisk(cfg.dir, cas.DiskOptions{MaxSize: cfg.maxSize})
	if err != nil {
		return err
	}
	blobs, ac := disk.Blobs(), disk.ActionCache()
	if cfg.limits.sharedInstances {
		ac = cas.NewSharedInstances(ac)
	}
	opts := server.Options{Execution: true, UploadDir: filepath.Join(cfg.dir, "uploads"), Limits: cfg.limits.limits}
	opts.Limits.UploadSpace = disk
	g := grpc.NewServer(append(server.GRPCServerOptions(opts),
		grpc.ChainUnaryInterceptor(logUnaryFaults), grpc.ChainStreamInterceptor(logStreamFaults))...)
	server.Register(g, blobs, ac, opts)
	sched := execution.New(blobs, ac, execution.Options{})
	sched.Register(g)

	lis, dialAddr, err := listen(cfg.listen)
	if err != nil {
		return err
	}
	log.Printf("rex-server %s serving on %s, store %s, %d embedded workers", version, cfg.listen, cfg.dir, cfg.workers)
	errc := make(chan error, 2)
	go func() { errc <- g.Serve(lis) }()
	if cfg.workers > 0 {
		go func() { errc <- runWorkers(ctx, cfg, dialAddr) }()
	}
	// The scheduler closes first: it ends open Execute streams and Lease
	// long-polls, which GracefulStop would otherwise wait for.
	select {
	case <-ctx.Done():
		sched.Close()
		g.GracefulStop()
		return nil
	case err := <-errc:
		sched.Close()
		g.Stop()
		return err
	}
}

// listen opens host:port or unix:///path and returns the address the
// embedded workers dial.
func listen(addr string) (net.Listener, string, error) {
	if path, ok := strings.CutPrefix(addr, "unix://"); ok {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, "", fmt.Errorf("remove stale socket: %w", err)
		}
		lis, err := net.Listen("unix", path)
		return lis, addr, err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", err
	}
	return lis, "grpc://" + lis.Addr().String(), nil
}

// runWorkers runs the embedded workers: the same worker as rex-worker,
// talking to this server over its own listener.
func runWorkers(ctx context.Context, cfg config, addr string) error {
	c, err := client.Dial(ctx, client.Config{Server: addr})
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
		CASFor:      worker.CASDialer(client.Config{Server: addr}),
		Logf:        log.Printf,
	})
	if err := w.Run(ctx); err != nil && ctx.Err() == nil {
		return fmt.Errorf("embedded workers: %w", err)
	}
	return nil
}
