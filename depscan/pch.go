package depscan

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rexbuild/rex/compiler"
)

// ErrPrecompiled is wrapped by the error Scan returns when gcc would read a
// precompiled header instead of a header the scan lists.
var ErrPrecompiled = errors.New("precompiled header")

// precompiledSibling checks the listed files for gcc's precompiled forms.
// gcc replaces "#include "x.h"" with x.h.gch (a file, or a directory of
// them) when it sits next to x.h, yet -M still lists x.h, and the -MD file
// of that compile lists neither: a worker without the .gch would compile
// the header and write another dependency file. clang uses a .pch only for
// -include, which the compiler model checks.
func precompiledSibling(inv *compiler.Invocation, deps []string, dir string) error {
	if inv.Family != compiler.GCC {
		return nil
	}
	for _, d := range deps {
		p := d + ".gch"
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("depscan: gcc reads %s.gch instead of %s: %w", d, d, ErrPrecompiled)
		}
	}
	return nil
}
