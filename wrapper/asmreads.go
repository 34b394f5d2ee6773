package wrapper

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// A local compile that fills a cache reads what it likes: an .incbin or
// .include that rex's reading of the text did not see (spelt with a string
// escape, a macro or a gas macro's argument; see depscan/joinedasm.go)
// would put an object that holds an unlisted file under a key that does
// not cover it. GNU as lists the files it read with --MD: when the driver
// is gcc with GNU as, the local compile passes -Wa,--MD and the cache is
// filled only when the assembler read nothing beyond the key. (A remote
// compile needs no such check: its worker has only the keyed files.)

var errAssemblerRead = errors.New("the assembler read a file the dependency scan does not list; the cache is not filled")

// asmWatch is the assembler's dependency list of one local compile.
type asmWatch struct {
	file string // where as writes it; "" when nothing is watched
}

// watchAssembler returns argv with the option that makes the assembler
// list what it reads, when the plan asks for it.
func watchAssembler(plan *actionPlan, argv []string) ([]string, asmWatch, error) {
	if plan == nil || !plan.watchAssembler {
		return argv, asmWatch{}, nil
	}
	f, err := os.CreateTemp("", "rex-as-*.d")
	if err != nil {
		return nil, asmWatch{}, err
	}
	f.Close()
	return append(slices.Clip(argv), "-Wa,--MD,"+f.Name()), asmWatch{file: f.Name()}, nil
}

// check returns an error naming a file the assembler read that the plan's
// key does not cover, or nil. What is allowed: the key's inputs (the very
// files: "lnk/../k.h" is not k.h when lnk is a symlink), the compile's
// outputs (-save-temps' .s), and names of no file once the compile is done
// (the compiler's temporary .s, the source's base name, which gcc gives
// .file, where the cwd holds no such file). A file of the source's base
// name in the cwd that is not the source may be an .incbin's: the cache
// stays empty. It removes the list.
func (w asmWatch) check(dir string, plan *actionPlan) error {
	if w.file == "" {
		return nil
	}
	defer os.Remove(w.file)
	data, err := os.ReadFile(w.file)
	if err != nil {
		return fmt.Errorf("%w: its list: %v", errAssemblerRead, err)
	}
	for _, written := range makeRulePrereqs(string(data)) {
		p := written
		if !filepath.IsAbs(p) {
			p = dir + "/" + p
		}
		st, err := os.Stat(p) // the kernel resolves a symlink before ".."
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		clean := filepath.Clean(p)
		keyed := slices.Contains(plan.inputPaths, clean) || slices.ContainsFunc(plan.outputs, func(o string) bool {
			return filepath.Clean(filepath.Join(dir, o)) == clean
		})
		if keyed && p == clean {
			continue
		}
		// The same file as a keyed input or an output, by another
		// spelling: the source's name through a symlinked directory.
		same := func(q string) bool {
			sq, err := os.Stat(q)
			return err == nil && st != nil && os.SameFile(st, sq)
		}
		if keyed && same(clean) || slices.ContainsFunc(plan.inputPaths, same) {
			continue
		}
		return fmt.Errorf("%w: %s", errAssemblerRead, written)
	}
	return nil
}

// makeRulePrereqs returns the prerequisites of a make rule as GNU as
// writes it ("a.o: data.bin a.c /tmp/cc1.s"): a blank in a name has a
// backslash before it, and the backslashes just before that are doubled;
// '$' is "$$"; a backslash-newline continues the line.
func makeRulePrereqs(rule string) []string {
	rule = strings.ReplaceAll(rule, "\\\n", " ")
	_, rest, ok := strings.Cut(rule, ": ")
	if !ok {
		return nil
	}
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; {
		case c == '\\':
			k := i
			for k < len(rest) && rest[k] == '\\' {
				k++
			}
			n := k - i // backslashes in the run
			if k < len(rest) && (rest[k] == ' ' || rest[k] == '\t') {
				cur.WriteString(strings.Repeat("\\", (n-1)/2))
				cur.WriteByte(rest[k])
				i = k
			} else {
				cur.WriteString(rest[i:k])
				i = k - 1
			}
		case c == '$' && i+1 < len(rest) && rest[i+1] == '$':
			cur.WriteByte('$')
			i++
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}
