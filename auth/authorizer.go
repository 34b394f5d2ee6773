package auth

import (
	"context"
	"strings"
	"sync/atomic"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Options say what the server demands of its callers.
type Options struct {
	// Required makes every call but Health present a credential (a token of
	// the tokens file or a verified client certificate). It is set when the
	// server has a tokens file or verifies client certificates.
	Required bool
	// AllowCacheWrites lets anyone call UpdateActionResult when Required is
	// unset. Without it only the server's own executions fill the cache.
	AllowCacheWrites bool
	// InternalToken is the token of the embedded workers (the worker role),
	// valid whatever the tokens file says; "" for none.
	InternalToken string
	// CertRoles are the roles of a verified client certificate that no
	// cert:CN line names.
	CertRoles Roles
	// Logf receives one line per refusal (rate-limited); nil for none.
	Logf func(format string, args ...any)
}

// Authorizer checks each call against the roles its credential carries.
// Its tokens table can be replaced while it serves (SetTable).
type Authorizer struct {
	opts     Options
	table    atomic.Pointer[Table]
	internal *Table
	log      *limiter
}

// New returns an Authorizer over table (nil when there is no tokens file).
func New(opts Options, table *Table) *Authorizer {
	a := &Authorizer{opts: opts, log: newLimiter(opts.Logf)}
	if opts.InternalToken != "" {
		a.internal = &Table{tokens: []tokenEntry{{sum: tokenSum(opts.InternalToken), roles: Worker}}}
	}
	a.table.Store(table)
	return a
}

// SetTable replaces the tokens table; calls already authorised go on.
func (a *Authorizer) SetTable(t *Table) { a.table.Store(t) }

// Authorize returns nil when the caller in ctx may call method, else the
// refusal, with its code, after logging it.
func (a *Authorizer) Authorize(ctx context.Context, method string) error {
	err := a.check(ctx, method)
	if err != nil {
		a.log.logf("rex-server: refused %s from %s: %s", method, peerAddr(ctx), status.Convert(err).Message())
	}
	return err
}

// Allows reports whether the caller in ctx may use role, without logging:
// Capabilities uses it to say whether UpdateActionResult would succeed.
func (a *Authorizer) Allows(ctx context.Context, role Roles) bool {
	return a.decide(ctx, role) == nil
}

func (a *Authorizer) check(ctx context.Context, method string) error {
	need, known := methodRole(method)
	if !known {
		return status.Errorf(codes.PermissionDenied, "unknown method %s", method)
	}
	if need == open {
		return nil
	}
	return a.decide(ctx, need)
}

func (a *Authorizer) decide(ctx context.Context, need Roles) error {
	c, err := a.identify(ctx)
	if err != nil {
		return err
	}
	if c.roles.Any(need) {
		return nil
	}
	if !a.opts.Required {
		return a.decideOpen(ctx, need)
	}
	if !c.authenticated {
		return status.Error(codes.Unauthenticated,
			"no credentials: send \"authorization: Bearer <token>\" (REX_TOKEN) or a client certificate")
	}
	return status.Errorf(codes.PermissionDenied, "%s has %s; this call needs one of: %s", c.what, c.roles, need)
}

// decideOpen applies the defaults of a server without a tokens file:
// reading and executing are open, writing the cache is refused unless
// allowed, and the worker protocol is for local peers only.
func (a *Authorizer) decideOpen(ctx context.Context, need Roles) error {
	switch {
	case need.Any(Execute):
		return nil
	case need.Any(CacheWrite) && a.opts.AllowCacheWrites:
		return nil
	case need.Any(CacheWrite):
		return status.Error(codes.PermissionDenied, "UpdateActionResult is refused: only results of executions this server ran "+
			"are cached (start rex-server with --allow-cache-writes to accept them from anyone, or --tokens with a cache-write role)")
	case need.Any(Worker) && localPeer(ctx):
		return nil
	}
	return status.Error(codes.PermissionDenied, "without --tokens the worker protocol is open only to loopback and unix-socket peers")
}

// caller is what a call's credentials amount to.
type caller struct {
	authenticated bool
	roles         Roles
	what          string // "the token", "certificate CN=x", for messages
}

// identify collects the roles of the bearer token and of a verified client
// certificate. When credentials are required, a token that is sent but
// unknown (or malformed) is refused outright, so that a stale token is not
// hidden by a good certificate. Without them, a header meant for another
// server is ignored: only the internal token means anything.
func (a *Authorizer) identify(ctx context.Context) (caller, error) {
	var c caller
	table := a.table.Load()
	token, sent, err := bearer(ctx)
	switch {
	case err != nil && a.opts.Required:
		return c, err
	case err == nil && sent:
		roles, ok := a.internal.lookup(token)
		if r, found := table.lookup(token); found {
			roles, ok = roles|r, true
		}
		if !ok && a.opts.Required {
			return c, status.Error(codes.Unauthenticated, "the bearer token is not in the tokens file")
		}
		c = caller{authenticated: ok, roles: roles, what: "the token"}
	}
	if cn, ok := verifiedCN(ctx); ok {
		roles, named := table.certRoles(cn)
		if !named {
			roles = a.opts.CertRoles
		}
		c.authenticated, c.roles = true, c.roles|roles
		c.what = strings.TrimPrefix(c.what+" and certificate CN="+cn, " and ")
	}
	return c, nil
}

// bearer extracts the token of an "authorization: Bearer" header.
func bearer(ctx context.Context) (token string, sent bool, err error) {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get("authorization")
	if len(vals) == 0 {
		return "", false, nil
	}
	token, ok := strings.CutPrefix(vals[0], "Bearer ")
	if len(vals) > 1 || !ok || strings.TrimSpace(token) == "" {
		return "", true, status.Error(codes.Unauthenticated, "malformed authorization header: want one \"Bearer <token>\"")
	}
	return strings.TrimSpace(token), true, nil
}

// UnaryInterceptor refuses unary calls the caller may not make.
func (a *Authorizer) UnaryInterceptor(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	if err := a.Authorize(ctx, info.FullMethod); err != nil {
		return nil, err
	}
	return h(ctx, req)
}

// StreamInterceptor refuses streams the caller may not open.
func (a *Authorizer) StreamInterceptor(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	if err := a.Authorize(ss.Context(), info.FullMethod); err != nil {
		return err
	}
	return h(srv, ss)
}
