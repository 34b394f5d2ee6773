package auth

import (
	"cloud.google.com/go/longrunning/autogen/longrunningpb"
	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"
	"google.golang.org/grpc"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/rexbuild/rex/workerpb"
)

// open marks methods anyone may call: health checks, which load balancers
// and orchestrators send without credentials.
const open Roles = 0

// methodRoles maps every full method name rex-server serves to the roles
// that allow it: any one of them is enough. Workers read inputs from and
// write outputs to the CAS, so the CAS and ByteStream take a worker token as
// well as an execute one. A method missing here is refused: a service
// registered later is closed until someone decides who may call it.
var methodRoles = buildMethodRoles()

func buildMethodRoles() map[string]Roles {
	m := map[string]Roles{}
	add := func(desc grpc.ServiceDesc, r Roles) {
		for _, md := range desc.Methods {
			m["/"+desc.ServiceName+"/"+md.MethodName] = r
		}
		for _, sd := range desc.Streams {
			m["/"+desc.ServiceName+"/"+sd.StreamName] = r
		}
	}
	add(repb.Capabilities_ServiceDesc, Execute|Worker)
	add(repb.ContentAddressableStorage_ServiceDesc, Execute|Worker)
	// The bytestream package does not export its descriptor.
	for _, name := range []string{"Read", "Write", "QueryWriteStatus"} {
		m["/google.bytestream.ByteStream/"+name] = Execute | Worker
	}
	add(repb.ActionCache_ServiceDesc, Execute)
	add(repb.Execution_ServiceDesc, Execute)
	add(longrunningpb.Operations_ServiceDesc, Execute)
	add(workerpb.Workers_ServiceDesc, Worker)
	add(healthpb.Health_ServiceDesc, open)
	m["/"+repb.ActionCache_ServiceDesc.ServiceName+"/UpdateActionResult"] = CacheWrite
	return m
}

// methodRole returns the roles that allow method, and false for an unknown one.
func methodRole(method string) (Roles, bool) {
	r, ok := methodRoles[method]
	return r, ok
}
