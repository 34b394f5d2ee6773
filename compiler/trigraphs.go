package compiler

import "strings"

// MayReadTrigraphs reports whether the compile may read trigraphs ("??="
// as '#'): gcc does with -trigraphs (also passed through -Wp, or
// -Xpreprocessor), -ansi, or a strict -std: any ISO C, and C++ before
// C++17. It errs towards yes: a later -no-trigraphs is not weighed.
func (inv *Invocation) MayReadTrigraphs() bool {
	for _, a := range inv.Args[1:] {
		switch {
		case a == "-ansi", a == "--ansi":
			return true
		case strings.HasSuffix(a, "-trigraphs") && !strings.HasSuffix(a, "no-trigraphs"):
			return true
		case strings.HasPrefix(a, "-std=") || strings.HasPrefix(a, "--std="):
			if strictStd(a[strings.IndexByte(a, '=')+1:]) {
				return true
			}
		}
	}
	return false
}

// strictStd reports whether gcc reads trigraphs under -std=v.
func strictStd(v string) bool {
	if strings.HasPrefix(v, "gnu") {
		return false
	}
	switch v {
	case "c++17", "c++1z", "c++20", "c++2a", "c++23", "c++2b", "c++26", "c++2c":
		return false
	}
	return true
}
