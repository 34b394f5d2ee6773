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
// key does not cover, or nil. What is allowed: the key's inputs, the
// compile's outputs (-save-temps' .s), and files gone once the compile is
// done (the compiler's temporary .s). It removes the list.
func (w asmWatch) check(dir string, plan *actionPlan) error {
	if w.file == "" {
		return nil
	}
	defer os.Remove(w.file)
	data, err := os.ReadFile(w.file)
	if err != nil {
		return fmt.Errorf("%w: its list: %v", errAssemblerRead, err)
	}
	for _, p := range makeRulePrereqs(string(data)) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		p = filepath.Clean(p)
		if slices.Contains(plan.inputPaths, p) || slices.ContainsFunc(plan.outputs, func(o string) bool {
			return filepath.Clean(filepath.Join(dir, o)) == p
		}) {
			continue
		}
		if _, err := os.Lstat(p); errors.Is(err, os.ErrNotExist) {
			continue
		}
		return fmt.Errorf("%w: %s", errAssemblerRead, p)
	}
	return nil
}

// makeRulePrereqs returns the prerequisites of a make rule as GNU as
// writes it ("a.o: data.bin a.c /tmp/cc1.s", a backslash before a blank in
// a name, lines continued by a backslash).
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
		case c == '\\' && i+1 < len(rest) && (rest[i+1] == ' ' || rest[i+1] == '\t'):
			cur.WriteByte(rest[i+1])
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
