package client

import (
	"fmt"
	"os"
	"strings"
)

// ReadToken returns the bearer token given directly or, failing that, the
// first line of file, trimmed. Both empty is no token. A file is read once
// per call: callers read it once per process.
func ReadToken(token, file string) (string, error) {
	if token != "" && file != "" {
		return "", fmt.Errorf("a token and a token file are both set: use one")
	}
	if file == "" {
		return strings.TrimSpace(token), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	if token = strings.TrimSpace(line); token == "" {
		return "", fmt.Errorf("token file %s: empty first line", file)
	}
	return token, nil
}
