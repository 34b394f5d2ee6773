package main

import (
	"encoding/base64"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rexbuild/rex/digest"
	"github.com/rexbuild/rex/endpoint"
	"github.com/rexbuild/rex/grpcwire"
	"github.com/rexbuild/rex/localcache"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/stats"
)

// A recorded compile whose result the local cache lacks is asked of the
// server's action cache, with its outputs inline, in one call (package
// grpcwire). The front end takes only the plain case: a cleartext
// endpoint (grpc://, unix://, or the relay of a distant one, when it is
// running), SHA-256, an action that is not portable (nothing to rewrite),
// a success with every declared output inline. Everything else (a miss, an
// error, TLS, outputs to fetch) is left to rex-client, which asks again
// and does the rest.

// remoteTimeout bounds the front end's call: a server slower than that is
// left to rex-client, whose retries and fallbacks know what to do. A
// relay answers within relayTimeout or is stuck (rex-client passes it by
// after as long).
const (
	remoteTimeout = 2 * time.Second
	relayTimeout  = time.Second
)

// servedHit is a result served from the local cache or the server, with
// the bytes of the call (none from the local cache).
type servedHit struct {
	localhit.Result
	sent, received int64
}

// serveRemote writes rec's outputs from the server's action cache. ok is
// false when it did not, and nothing was written but the dependency file
// aside (the caller discards it).
func serveRemote(cfg config, dir string, rec *localhit.Recorded, results *localcache.Store, steps *stats.Phases) (servedHit, bool) {
	if cfg.server == "" || rec.Portable || rec.Function != digest.SHA256.Name() || cfg.function != rec.Function ||
		endpoint.RecentlyUnreachable(endpoint.UnreachableMarker(cfg.stateDir, cfg.server, cfg.casServer, cfg.instance)) {
		return servedHit{}, false
	}
	conn, authority, ok := dialServer(cfg)
	if !ok {
		return servedHit{}, false
	}
	defer conn.Close()
	timeout := remoteTimeout
	if authority == relayAuthority {
		timeout = relayTimeout
	}
	conn.SetDeadline(time.Now().Add(timeout))
	md, ok := callMetadata(cfg, rec.Action)
	if !ok {
		return servedHit{}, false
	}
	reply, err := grpcwire.Invoke(conn, grpcwire.Call{
		Authority: authority, Method: "/build.bazel.remote.execution.v2.ActionCache/GetActionResult",
		Metadata: md, Request: localhit.GetActionResultRequest(cfg.instance, rec.Action, digest.SHA256, rec.Outputs),
	})
	if err != nil || reply.Code != 0 {
		return servedHit{}, false
	}
	steps.Mark("lookup")
	r, err := localhit.DecodeResult(reply.Body)
	if err != nil || !r.Complete(rec.Outputs) || !allInline(r, rec.Outputs) {
		return servedHit{}, false
	}
	if localhit.WriteInline(dir, r.Files) != nil {
		return servedHit{}, false
	}
	if rec.DepTemp != "" && os.Rename(rec.DepTemp, filepath.Join(dir, rec.DepFile)) != nil {
		return servedHit{}, false
	}
	steps.Mark("outputs")
	keepLocal(results, dir, rec, r)
	return servedHit{Result: r, sent: reply.Sent, received: reply.Received}, true
}

// dialServer connects to the server, or to its relay when rex-client
// would go through one and it is listening. The authority is the one a
// gRPC client would send.
func dialServer(cfg config) (net.Conn, string, bool) {
	addr := cfg.server
	network, target, authority := "tcp", "", ""
	switch {
	case strings.HasPrefix(addr, "grpc://"):
		target = strings.TrimPrefix(addr, "grpc://")
		authority = target
	case strings.HasPrefix(addr, "unix:///"):
		network, target, authority = "unix", strings.TrimPrefix(addr, "unix://"), "localhost"
	case strings.Contains(addr, "://"):
		return nil, "", false // grpcs:// and the like
	default:
		target, authority = addr, addr
	}
	if sock := relaySocket(cfg, fullClientPath()); listening(sock) {
		network, target, authority = "unix", sock, relayAuthority
	} else if cfg.relay == "always" || cfg.relay == "auto" && !endpoint.IsLocal(addr) {
		return nil, "", false // its relay is not running: rex-client starts it
	}
	conn, err := net.DialTimeout(network, target, time.Second)
	return conn, authority, err == nil
}

// relayAuthority is the :authority of a call through a relay, which
// answers for the server.
const relayAuthority = "relay"

// relaySocket is the socket of the relay the rex-client at client would
// use for the server; "" when it uses none.
func relaySocket(cfg config, client string) string {
	if client == "" || cfg.relay == "off" || cfg.relay == "auto" && endpoint.IsLocal(cfg.server) {
		return ""
	}
	state, err := filepath.Abs(cfg.stateDir)
	if err != nil {
		return ""
	}
	return endpoint.RelaySocket(filepath.Join(state, "relay"), endpoint.BuildIdentity(version, client),
		cfg.server, "", [3]string{})
}

// listening says whether a socket is at path.
func listening(path string) bool {
	st, err := os.Stat(path)
	return path != "" && err == nil && st.Mode()&os.ModeSocket != 0
}

// callMetadata is what rex-client sends with every call: its headers, its
// token, and the request metadata naming the tool and the action. ok is
// false for settings rex-client would refuse.
func callMetadata(cfg config, action digest.Digest) ([][2]string, bool) {
	var md [][2]string
	for _, k := range slices.Sorted(maps.Keys(cfg.headers)) {
		if k == "" || k == "build.bazel.remote.execution.v2.requestmetadata-bin" {
			return nil, false
		}
		md = append(md, [2]string{k, cfg.headers[k]})
	}
	token, err := endpoint.ReadToken(cfg.token, cfg.tokenFile)
	if err != nil {
		return nil, false
	}
	if token != "" {
		if _, set := cfg.headers["authorization"]; set {
			return nil, false
		}
		md = append(md, [2]string{"authorization", "Bearer " + token})
	}
	rm := localhit.RequestMetadata("rex", version, action.Hash)
	return append(md, [2]string{"build.bazel.remote.execution.v2.requestmetadata-bin",
		base64.StdEncoding.EncodeToString(rm)}), true
}

// allInline says whether every file of r is one of outputs, inline, with
// the content its digest names.
func allInline(r localhit.Result, outputs []string) bool {
	for _, f := range r.Files {
		if f.Contents == nil && f.Digest.Size > 0 || !slices.Contains(outputs, f.Path) ||
			digest.SHA256.FromBytes(f.Contents) != f.Digest {
			return false
		}
	}
	return true
}

// keepLocal keeps a result the server served in the local cache, as
// rex-client would. A failure costs a later server hit only.
func keepLocal(results *localcache.Store, dir string, rec *localhit.Recorded, r localhit.Result) {
	if results != nil {
		localhit.Keep(results, dir, localhit.ResultKey(rec.Action, rec.Portable, rec.LocalRoot), r)
	}
}
