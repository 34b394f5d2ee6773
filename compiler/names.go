package compiler

import (
	"os/exec"
	"path/filepath"
	"strings"
)

// drivers are the driver names, in the order a name is tried against them.
var drivers = []string{"gcc", "g++", "cc", "c++", "clang", "clang++"}

// driverOf returns the driver a file name names, with an optional target
// prefix (x86_64-linux-gnu-) and version suffix (-12, -14.0), or "": what
// ^(?:[A-Za-z0-9_.]+-)*?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-[0-9]+(?:\.[0-9]+)*)?$
// matches as its group (the shortest prefix first). Matched by hand: a
// regexp compiled at start-up cost every rex run a tenth of a millisecond.
func driverOf(name string) string {
	for start := 0; start <= len(name); {
		for _, d := range drivers {
			if rest, ok := strings.CutPrefix(name[start:], d); ok && (rest == "" || isVersionSuffix(rest)) {
				return d
			}
		}
		// The next start is past the next prefix segment: [A-Za-z0-9_.]+-
		i := start
		for i < len(name) && isSegmentByte(name[i]) {
			i++
		}
		if i == start || i == len(name) || name[i] != '-' {
			return ""
		}
		start = i + 1
	}
	return ""
}

func isSegmentByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '.'
}

// isVersionSuffix reports whether s is -[0-9]+(\.[0-9]+)*.
func isVersionSuffix(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	for _, part := range strings.Split(s[1:], ".") {
		if part == "" || strings.Trim(part, "0123456789") != "" {
			return false
		}
	}
	return true
}

// identify returns the family of the driver named by argv0, whether it is a
// C++ driver, and whether it is a known compiler at all.
func identify(argv0 string) (fam Family, cxx, ok bool) {
	switch driverOf(filepath.Base(argv0)) {
	case "":
		return Unknown, false, false
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
	if d := driverOf(filepath.Base(real)); d == "clang" || d == "clang++" {
		return Clang
	}
	return GCC
}

// IsDriverName reports whether a file name is that of a gcc or clang
// driver (with an optional target prefix and version suffix).
func IsDriverName(name string) bool { return driverOf(name) != "" }
