// Package security drives the built rex, rex-server and rex-worker binaries
// to check who may do what: tokens and their roles, the defaults without a
// tokens file, the listener check, mutual TLS, reloading the tokens on
// SIGHUP, health checks, and a real build through an execute token.
package security
