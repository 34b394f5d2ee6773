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
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/rexbuild/rex/auth"
	"github.com/rexbuild/rex/cas"
	"github.com/rexbuild/rex/execution"
	"github.com/rexbuild/rex/monitor"
	"github.com/rexbuild/rex/server"
)

// serve wires the stores, the services and the embedded workers, and runs
// until ctx is done.
func serve(ctx context.Context, cfg config) error {
	internalToken := randomToken()
	authz, err := newAuthorizer(cfg.security, internalToken)
	if err != nil {
		return err
	}
	svc, err := newServices(cfg, authz)
	if err != nil {
		return err
	}
	// Last, after the services stopped: the store syncs what they wrote.
	defer func() {
		if err := svc.disk.Close(); err != nil {
			log.Printf("rex-server: %v", err)
		}
	}()
	hup, stopHangups := hangups()
	defer stopHangups()
	lis, err := listen(cfg.listen)
	if err != nil {
		svc.sched.Close()
		return err
	}
	if err := checkExposure(cfg.security, cfg.listen, lis.Addr()); err != nil {
		lis.Close()
		svc.sched.Close()
		return err
	}
	warnPlaintextTokens(cfg.security, lis.Addr())
	log.Printf("rex-server %s serving on %s (%s), store %s, %d embedded workers",
		version, cfg.listen, describeSecurity(cfg.security, cfg.security.tlsCert != ""), cfg.dir, cfg.workers)
	errc := make(chan error, 3)
	go func() { errc <- svc.public.Serve(lis) }()
	go func() { errc <- svc.embedded.Serve(svc.pipe) }()
	go reloadOnHangup(ctx, hup, authz, cfg.security.tokensFile)
	if cfg.workers > 0 {
		go func() { errc <- runWorkers(ctx, cfg, svc.pipe, internalToken, svc) }()
	}
	if cfg.http != "" {
		stopHTTP, err := serveHTTP(cfg.http, svc.monitor.Handler(), errc)
		if err != nil {
			svc.stop(0)
			return err
		}
		defer stopHTTP()
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errc:
	}
	svc.stop(cfg.shutdownGrace)
	return runErr
}

// services are the gRPC servers over one store and one scheduler: the
// public one, and the embedded workers' own on an in-memory listener (the
// same services and checks, without TLS or a port).
type services struct {
	sched *execution.Scheduler
	disk  *cas.Disk // the embedded workers read and write it directly
	// dirs are the input Directories Execute's checks read, which the
	// embedded workers then stage from without reading them again.
	dirs     *cas.Directories
	health   *health.Server
	public   *grpc.Server
	embedded *grpc.Server
	pipe     *pipeListener
	monitor  *monitor.Monitor
}

func newServices(cfg config, authz *auth.Authorizer) (*services, error) {
	disk, err := cas.OpenDisk(cfg.dir, cas.DiskOptions{MaxSize: cfg.maxSize})
	if err != nil {
		return nil, err
	}
	blobs, ac := disk.Blobs(), disk.ActionCache()
	if cfg.limits.sharedInstances {
		ac = cas.NewSharedInstances(ac)
	}
	creds, err := serverTLS(cfg.security)
	if err != nil {
		return nil, err
	}
	opts := server.Options{Execution: true, UploadDir: filepath.Join(cfg.dir, "uploads"), Limits: cfg.limits.limits,
		CanUpdateActionCache: func(ctx context.Context) bool { return authz.Allows(ctx, auth.CacheWrite) }}
	opts.Limits.UploadSpace = disk
	svc := &services{disk: disk, dirs: cas.NewDirectories(cas.DefaultDirectoriesBytes), health: health.NewServer(),
		pipe: newPipeListener()}
	svc.monitor = monitor.New(monitor.Sources{Scheduler: func() execution.Snapshot { return svc.sched.Snapshot() },
		Store: disk.Usage, Version: "rex-server " + version})
	svc.sched = execution.New(blobs, ac, execution.Options{Finished: svc.monitor.Finished, Directories: svc.dirs})
	newServer := func(extra ...grpc.ServerOption) *grpc.Server {
		g := grpc.NewServer(append(append(server.GRPCServerOptions(opts),
			grpc.ChainUnaryInterceptor(svc.monitor.UnaryInterceptor, authz.UnaryInterceptor, cfg.instances.unary, logUnaryFaults),
			grpc.ChainStreamInterceptor(svc.monitor.StreamInterceptor, authz.StreamInterceptor, cfg.instances.stream,
				logStreamFaults)), extra...)...)
		server.Register(g, blobs, ac, opts)
		svc.sched.Register(g)
		return g
	}
	if creds != nil {
		svc.public = newServer(grpc.Creds(creds))
	} else {
		svc.public = newServer()
	}
	healthpb.RegisterHealthServer(svc.public, svc.health)
	svc.embedded = newServer()
	return svc, nil
}

// stop reports NOT_SERVING, then stops within grace.
func (svc *services) stop(grace time.Duration) {
	svc.health.Shutdown()
	// The scheduler closes first: it ends open Execute streams and Lease
	// long-polls, which GracefulStop would otherwise wait for.
	svc.sched.Close()
	stopWithin(grace, svc.public, svc.embedded)
}

// stopWithin lets in-flight calls finish for up to grace, then cuts them:
// a client streaming a large upload must not hold a restart hostage.
func stopWithin(grace time.Duration, servers ...*grpc.Server) {
	done := make(chan struct{})
	go func() {
		for _, g := range servers {
			g.GracefulStop()
		}
		close(done)
	}()
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		log.Printf("rex-server: calls still running after %v: cutting them", grace)
		for _, g := range servers {
			g.Stop()
		}
		<-done
	}
}

// describeSecurity sums up, for the start-up line, what callers face.
func describeSecurity(s security, useTLS bool) string {
	parts := []string{"plaintext"}
	if useTLS {
		parts[0] = "TLS"
	}
	switch {
	case s.tokensFile != "" && s.tlsClientCA != "":
		parts = append(parts, "tokens or client certificates required")
	case s.tokensFile != "":
		parts = append(parts, "tokens required")
	case s.tlsClientCA != "":
		parts = append(parts, "client certificates required")
	case s.allowCacheWrites:
		parts = append(parts, "no credentials, anyone may write the cache")
	default:
		parts = append(parts, "no credentials, cache writes refused, workers local only")
	}
	return strings.Join(parts, ", ")
}

// listen opens host:port or unix:///path.
func listen(addr string) (net.Listener, error) {
	if path, ok := strings.CutPrefix(addr, "unix://"); ok {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove stale socket: %w", err)
		}
		return net.Listen("unix", path)
	}
	return net.Listen("tcp", addr)
}
