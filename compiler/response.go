package compiler

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// maxResponseDepth bounds nested @file expansion (and breaks cycles).
const maxResponseDepth = 16

// expandResponseFiles replaces every @file argument by the arguments the
// file holds, as gcc does: a missing file leaves the argument as it is.
func expandResponseFiles(args []string, cwd string) ([]string, error) {
	return expandDepth(args, cwd, 0)
}

func expandDepth(args []string, cwd string, depth int) ([]string, error) {
	var out []string
	for _, a := range args {
		if !strings.HasPrefix(a, "@") || len(a) == 1 {
			out = append(out, a)
			continue
		}
		name := a[1:]
		if !filepath.IsAbs(name) {
			name = filepath.Join(cwd, name)
		}
		data, err := os.ReadFile(name)
		if os.IsNotExist(err) {
			out = append(out, a)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("compiler: response file %s: %w", a, err)
		}
		if depth >= maxResponseDepth {
			return nil, fmt.Errorf("compiler: response file %s: nested too deeply", a)
		}
		inner, err := expandDepth(SplitResponse(string(data)), cwd, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, inner...)
	}
	return out, nil
}

// SplitResponse splits the text of a response file into arguments with the
// rules of gcc (libiberty buildargv): arguments are separated by white space,
// single and double quotes group, and a backslash takes the next character
// literally, inside quotes too.
func SplitResponse(s string) []string {
	var (
		args  []string
		cur   strings.Builder
		inArg bool
		quote byte
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			inArg = true
		case quote != 0:
			if c == quote {
				quote = 0
			} else {
				cur.WriteByte(c)
			}
		case c == '\'' || c == '"':
			quote, inArg = c, true
		case isSpace(c):
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
