package auth

import (
	"bufio"
	"crypto/subtle"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rexbuild/rex/digest"
)

// certPrefix marks a tokens-file line that gives roles to a verified client
// certificate by its subject common name instead of to a token.
const certPrefix = "cert:"

// Table is a parsed tokens file. It keeps digests of the tokens, never the
// tokens themselves, so that a comparison takes the same time whatever
// prefix a guess shares with a real token.
type Table struct {
	tokens []tokenEntry
	certs  map[string]Roles // subject CN -> roles
}

type tokenEntry struct {
	sum   []byte // hex SHA-256 of the token
	roles Roles
}

// LoadFile reads a tokens file.
func LoadFile(path string) (*Table, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("tokens file: %w", err)
	}
	defer f.Close()
	t, err := Parse(f)
	if err != nil {
		return nil, fmt.Errorf("tokens file %s: %w", path, err)
	}
	return t, nil
}

// Parse reads lines of "TOKEN ROLE[,ROLE...]" or "cert:CN ROLE[,ROLE...]";
// blank lines and lines starting with # are skipped. Errors name the line,
// never the token.
func Parse(r io.Reader) (*Table, error) {
	t := &Table{certs: map[string]Roles{}}
	seen := map[string]int{}
	s := bufio.NewScanner(r)
	for n := 1; s.Scan(); n++ {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want TOKEN ROLE[,ROLE...]", n)
		}
		roles, err := ParseRoles(fields[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if prev, dup := seen[fields[0]]; dup {
			return nil, fmt.Errorf("line %d repeats the token or certificate of line %d", n, prev)
		}
		seen[fields[0]] = n
		if cn, ok := strings.CutPrefix(fields[0], certPrefix); ok {
			t.certs[cn] = roles
			continue
		}
		t.tokens = append(t.tokens, tokenEntry{sum: tokenSum(fields[0]), roles: roles})
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	return t, nil
}

func tokenSum(token string) []byte {
	return []byte(digest.SHA256.FromBytes([]byte(token)).Hash)
}

// lookup returns the roles of token, and whether the table knows it. Every
// entry is compared, in constant time, whichever matches.
func (t *Table) lookup(token string) (Roles, bool) {
	if t == nil {
		return 0, false
	}
	sum := tokenSum(token)
	var roles Roles
	found := false
	for _, e := range t.tokens {
		if subtle.ConstantTimeCompare(sum, e.sum) == 1 {
			roles, found = e.roles, true
		}
	}
	return roles, found
}

// certRoles returns the roles a cert: line gives to a subject CN.
func (t *Table) certRoles(cn string) (Roles, bool) {
	if t == nil {
		return 0, false
	}
	r, ok := t.certs[cn]
	return r, ok
}

// Len is the number of token and certificate lines.
func (t *Table) Len() int { return len(t.tokens) + len(t.certs) }
