// Package workerpb holds the generated code of the pull protocol between
// rex-server and its workers (workers.proto). Regenerate with protoc and
// the plugins that scripts/install-protoc installs.
package workerpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative workers.proto
