package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"syscall"

	"google.golang.org/grpc/credentials"

	"github.com/rexbuild/rex/auth"
)

// newAuthorizer loads the tokens file (if any) and gives internalToken, the
// embedded workers' credential, the worker role.
func newAuthorizer(s security, internalToken string) (*auth.Authorizer, error) {
	var table *auth.Table
	if s.tokensFile != "" {
		var err error
		if table, err = auth.LoadFile(s.tokensFile); err != nil {
			return nil, err
		}
		log.Printf("rex-server: %d entries in %s", table.Len(), s.tokensFile)
	}
	return auth.New(auth.Options{
		Required:         s.required(),
		AllowCacheWrites: s.allowCacheWrites,
		InternalToken:    internalToken,
		CertRoles:        s.certRoles,
		Logf:             log.Printf,
	}, table), nil
}

// hangups starts catching SIGHUP. It is called before the server listens:
// a SIGHUP that came before signal.Notify would kill the process.
func hangups() (<-chan os.Signal, func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return hup, func() { signal.Stop(hup) }
}

// reloadOnHangup re-reads the tokens file on each SIGHUP until ctx ends. A
// file that does not parse keeps the table in force: a typo must not lock
// every client out, nor open the server.
func reloadOnHangup(ctx context.Context, hup <-chan os.Signal, a *auth.Authorizer, path string) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if path == "" {
			log.Printf("rex-server: SIGHUP: no --tokens file to reload")
			continue
		}
		table, err := auth.LoadFile(path)
		if err != nil {
			log.Printf("rex-server: SIGHUP: keeping the previous tokens: %v", err)
			continue
		}
		a.SetTable(table)
		log.Printf("rex-server: SIGHUP: reloaded %d entries from %s", table.Len(), path)
	}
}

// serverTLS returns the TLS credentials, or nil for plaintext. With a
// client CA, a certificate is verified when a client offers one, but not
// demanded in the handshake: a caller may present a token instead, and the
// authorizer refuses calls with neither.
func serverTLS(s security) (credentials.TransportCredentials, error) {
	if s.tlsCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(s.tlsCert, s.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if s.tlsClientCA != "" {
		pem, err := os.ReadFile(s.tlsClientCA)
		if err != nil {
			return nil, fmt.Errorf("--tls-client-ca: %w", err)
		}
		tc.ClientCAs = x509.NewCertPool()
		if !tc.ClientCAs.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("--tls-client-ca %s: no PEM certificates", s.tlsClientCA)
		}
		tc.ClientAuth = tls.VerifyClientCertIfGiven
	}
	return credentials.NewTLS(tc), nil
}

// checkExposure refuses to serve beyond this machine with nobody asked who
// they are: anyone who reaches the port could then read every source and
// run any command on the workers.
func checkExposure(s security, listen string, addr net.Addr) error {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsLoopback() || s.required() || s.insecure {
		return nil
	}
	return fmt.Errorf("refusing to listen on %s without credentials: anyone who can reach it could read the sources "+
		"and run commands on the workers. Give --tokens FILE (and --tls-cert/--tls-key), or --tls-client-ca for mutual TLS; "+
		"or --insecure on a network you trust entirely", listen)
}

// warnPlaintextTokens says when tokens would cross the network in clear
// text: anyone on the path could copy them.
func warnPlaintextTokens(s security, addr net.Addr) {
	if tcp, ok := addr.(*net.TCPAddr); ok && !tcp.IP.IsLoopback() && s.tokensFile != "" && s.tlsCert == "" {
		log.Printf("rex-server: warning: tokens are sent in clear text to %s: give --tls-cert and --tls-key", addr)
	}
}

// randomToken is the embedded workers' credential, new at each start and
// never written anywhere.
func randomToken() string {
	var b [32]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
