// Package accountmeta carries a worker's account of its compile's lookups
// (lookups.Account) in an ActionResult's auxiliary metadata, from rex's
// worker to rex's client. Other clients ignore it. (The front end, which
// links package lookups, links neither this package nor protobuf.)
package accountmeta

import (
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"

	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/lookups"
)

// Type is the type URL of an account. Its value is raw DEFLATE of a record
// per path: 'f' found or 'm' missing, then the path and a NUL; and 'u', a
// count and a NUL for Unresolved. A kernel compile's account is some 40 KB
// of paths, a few KB deflated.
const Type = "type.googleapis.com/rex.lookups.Account.v1"

// maxAccount bounds an account's inflated size: a server's inflated bomb
// is refused, not held in memory.
const maxAccount = 64 << 20

// Any is a as auxiliary metadata.
func Any(a lookups.Account) *anypb.Any {
	var raw bytes.Buffer
	for _, l := range []struct {
		kind  byte
		paths []string
	}{{'f', a.Found}, {'m', a.Missing}} {
		for _, p := range l.paths {
			raw.WriteByte(l.kind)
			raw.WriteString(p)
			raw.WriteByte(0)
		}
	}
	if a.Unresolved > 0 {
		fmt.Fprintf(&raw, "u%d\x00", a.Unresolved)
	}
	var b bytes.Buffer
	w := writers.Get().(*flate.Writer)
	w.Reset(&b)
	w.Write(raw.Bytes())
	w.Close()
	writers.Put(w)
	return &anypb.Any{TypeUrl: Type, Value: b.Bytes()}
}

// writers keeps a worker's compressors: making one costs more than
// compressing an account with it.
var writers = sync.Pool{New: func() any {
	w, _ := flate.NewWriter(nil, flate.BestSpeed) // the level is valid
	return w
}}

// Find returns the account among a result's auxiliary metadata; ok is
// false when there is none (a worker that does not tell, or a compile it
// did not watch). A malformed account, or two, is an error, never an
// empty account: a server that sends either is not believed.
func Find(metadata []*anypb.Any) (a lookups.Account, ok bool, err error) {
	for _, m := range metadata {
		if m.GetTypeUrl() != Type {
			continue
		}
		if ok {
			return lookups.Account{}, false, errors.New("two accounts of the worker's lookups")
		}
		if a, err = decode(m.GetValue()); err != nil {
			return lookups.Account{}, false, err
		}
		ok = true
	}
	return a, ok, nil
}

func decode(value []byte) (lookups.Account, error) {
	r := flate.NewReader(bytes.NewReader(value))
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, maxAccount+1))
	switch {
	case err != nil:
		return lookups.Account{}, fmt.Errorf("the worker's account of its lookups: %w", err)
	case len(b) > maxAccount:
		return lookups.Account{}, fmt.Errorf("the worker's account of its lookups is over %d bytes", maxAccount)
	}
	var a lookups.Account
	for len(b) > 0 {
		end := bytes.IndexByte(b, 0)
		if end < 1 {
			return lookups.Account{}, fmt.Errorf("malformed record %q in the worker's account of its lookups", b[:min(len(b), 40)])
		}
		kind, rest := b[0], string(b[1:end])
		b = b[end+1:]
		switch {
		case kind == 'f' && rest != "":
			a.Found = append(a.Found, rest)
		case kind == 'm' && rest != "":
			a.Missing = append(a.Missing, rest)
		case kind == 'u':
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return lookups.Account{}, fmt.Errorf("malformed count %q in the worker's account of its lookups", rest)
			}
			a.Unresolved += n
		default:
			return lookups.Account{}, fmt.Errorf("malformed record %q in the worker's account of its lookups", kind)
		}
	}
	return a, nil
}
