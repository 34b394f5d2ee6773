package compiler

import (
	"regexp"
	"testing"
)

// driverOf is the regexp it replaced, matched by hand.
func TestDriverOfIsTheRegexp(t *testing.T) {
	re := regexp.MustCompile(`^(?:[A-Za-z0-9_.]+-)*?(gcc|g\+\+|cc|c\+\+|clang|clang\+\+)(?:-[0-9]+(?:\.[0-9]+)*)?$`)
	parts := []string{"", "gcc", "g++", "cc", "c++", "clang", "clang++", "x86_64-linux-gnu-", "arm-none-eabi-",
		"-12", "-14.0", "-1.2.3", "-", "-x", "-1.", "ccache", "distcc", "gcc-", "clang-", "cc-", "a.b_c-", "+", "++",
		"gcc-ar", "c++filt", "-gcc", "x"}
	n := 0
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				name := a + b + c
				want := ""
				if m := re.FindStringSubmatch(name); m != nil {
					want = m[1]
				}
				if got := driverOf(name); got != want {
					t.Errorf("driverOf(%q) = %q, the regexp says %q", name, got, want)
				}
				n++
			}
		}
	}
	t.Logf("%d names compared", n)
}
