package compiler

import (
	"os/exec"
	"path/filepath"
	"regexp"
)

// driverName matches a compiler driver name with an optional target prefix
// (x86_64-linux-gnu-) and version suffix (-12, -14.0).
var driverName = regexp.MustCompile(`^(?:[A-Za-z0-9_.]+-)*?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-[0-9]+(?:\.[0-9]+)*)?$`)

// identify returns the family of the driver named by argv0, whether it is a
// C++ driver, and whether it is a known compiler at all.
func identify(argv0 string) (fam Family, cxx, ok bool) {
	m := driverName.FindStringSubmatch(filepath.Base(argv0))
	if m == nil {
		return Unknown, false, false
	}
	switch m[1] {
	case "gcc":
		return GCC, false, true
	case "g++":
		return GCC, true, true
	case "clang":
		return Clang, false, true
	case "clang++":
		return Clang, true, true
	case "cc":
		return resolveFamily(argv0), false, true
	default: // c++
		return resolveFamily(argv0), true, true
	}
}

// resolveFamily finds what a generic cc/c++ driver really is by following
// its symlinks (Debian alternatives). It falls back to GCC.
func resolveFamily(argv0 string) Family {
	p, err := exec.LookPath(argv0)
	if err != nil {
		return GCC
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return GCC
	}
	m := driverName.FindStringSubmatch(filepath.Base(real))
	if m != nil && (m[1] == "clang" || m[1] == "clang++") {
		return Clang
	}
	return GCC
}

// IsDriverName reports whether a file name is that of a gcc or clang
// driver (with an optional target prefix and version suffix).
func IsDriverName(name string) bool { return driverName.MatchString(name) }
