package depscan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/dirlist"
)

// ErrPrecompiled is wrapped by the error Scan returns when gcc would read a
// precompiled header instead of a header the scan lists.
var ErrPrecompiled = errors.New("precompiled header")

// precompiledSibling checks the listed files for gcc's precompiled forms.
// gcc replaces "#include "x.h"" with x.h.gch (a file, or a directory of
// them) when it sits next to x.h, yet -M still lists x.h, and the -MD file
// of that compile lists neither: a worker without the .gch would compile
// the header and write another dependency file. clang uses a .pch only for
// -include, which the compiler model checks. Each file's directory is read
// once (a kernel compile reads some 600 files from a few dozen
// directories), and only a .gch it holds is stated.
func precompiledSibling(inv *compiler.Invocation, deps []string, dir string, lists *dirlist.Cache) error {
	if inv.Family != compiler.GCC {
		return nil
	}
	read := map[string]*dirlist.Names{}
	for _, d := range deps {
		p := d + ".gch"
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if i := strings.LastIndexByte(p, '/'); i > 0 {
			parent := p[:i]
			names, ok := read[parent]
			if !ok {
				names, _ = lists.ReadPath(parent) // nil when unreadable
				read[parent] = names
			}
			if names != nil && !names.Has(p[i+1:]) {
				continue
			}
		}
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("depscan: gcc reads %s.gch instead of %s: %w", d, d, ErrPrecompiled)
		}
	}
	return nil
}
