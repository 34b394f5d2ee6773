// Package auth decides who may call which of rex-server's RPCs: it reads the
// tokens file, tells a bearer token or a verified client certificate from
// none, maps every full gRPC method name to the role it needs, and refuses
// the rest with UNAUTHENTICATED or PERMISSION_DENIED through one pair of
// interceptors.
package auth

import (
	"fmt"
	"strings"
)

// Roles is a set of roles.
type Roles uint8

const (
	// Execute covers reading: Capabilities, CAS, ByteStream,
	// GetActionResult, Execute, WaitExecution and Operations.
	Execute Roles = 1 << iota
	// CacheWrite covers UpdateActionResult: writing results the server did
	// not compute itself, so whoever holds it can poison the cache.
	CacheWrite
	// Worker covers the worker protocol: leasing actions (and so reading
	// their inputs) and reporting their results.
	Worker
)

var roleNames = []struct {
	role Roles
	name string
}{{Execute, "execute"}, {CacheWrite, "cache-write"}, {Worker, "worker"}}

// ParseRoles reads a comma-separated list such as "execute,cache-write".
func ParseRoles(s string) (Roles, error) {
	var r Roles
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, rn := range roleNames {
			if rn.name == name {
				r |= rn.role
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown role %q (want execute, cache-write or worker)", name)
		}
	}
	return r, nil
}

// Has reports whether r holds every role of want.
func (r Roles) Has(want Roles) bool { return r&want == want }

// Any reports whether r holds at least one role of want.
func (r Roles) Any(want Roles) bool { return r&want != 0 }

// String lists the roles, comma-separated.
func (r Roles) String() string {
	var names []string
	for _, rn := range roleNames {
		if r.Has(rn.role) {
			names = append(names, rn.name)
		}
	}
	if len(names) == 0 {
		return "no role"
	}
	return strings.Join(names, ",")
}
