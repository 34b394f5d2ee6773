// Package plan predicts what a build will cost before it runs: it reads a
// compilation database (compile_commands.json, as CMake and Ninja write
// it), computes every compile's action digest as rex would, looks them all
// up in the remote cache, and reports the predicted hit rate and the
// misses by reason.
package plan

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Entry is one compile of the database.
type Entry struct {
	Directory string   `json:"directory"`
	File      string   `json:"file"`
	Output    string   `json:"output,omitempty"`
	Command   string   `json:"command,omitempty"`
	Arguments []string `json:"arguments,omitempty"`
}

// Argv is the compile's argument list: Arguments, else Command split as a
// shell would. A launcher in front (rex itself, ccache) is dropped: the
// prediction is of the compile rex would run.
func (e Entry) Argv() ([]string, error) {
	argv := e.Arguments
	if len(argv) == 0 {
		var err error
		if argv, err = splitCommand(e.Command); err != nil {
			return nil, fmt.Errorf("%s: %w", e.File, err)
		}
	}
	for len(argv) > 1 && isLauncher(filepath.Base(argv[0])) {
		argv = argv[1:]
	}
	if len(argv) == 0 {
		return nil, fmt.Errorf("%s: empty command", e.File)
	}
	return argv, nil
}

func isLauncher(name string) bool { return name == "rex" || name == "ccache" || name == "sccache" }

// Load reads a compilation database.
func Load(path string) ([]Entry, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var entries []Entry
	if err := json.Unmarshal(b, &entries); err != nil {
		return nil, fmt.Errorf("%s: not a compilation database: %w", path, err)
	}
	return entries, nil
}

// splitCommand splits a command line as a POSIX shell does words: blanks
// separate, single quotes keep everything, double quotes keep all but
// backslash escapes of \ " $ `, and a backslash outside quotes escapes the
// next character.
func splitCommand(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
			continue
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated ' in %q", s)
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			j, err := doubleQuoted(s, i+1, &cur)
			if err != nil {
				return nil, err
			}
			i = j
		default:
			cur.WriteByte(c)
		}
		inWord = true
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// doubleQuoted copies a "..." word part starting at s[i] to cur, returning
// the index of the closing quote.
func doubleQuoted(s string, i int, cur *strings.Builder) (int, error) {
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return i, nil
		case c == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0:
			i++
			cur.WriteByte(s[i])
		default:
			cur.WriteByte(c)
		}
	}
	return 0, fmt.Errorf("unterminated \" in %q", s)
}
