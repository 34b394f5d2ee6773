package compiler

import (
	"slices"
	"strings"
)

// What the compile's language mode makes its lexer read, where the
// dependency scan's (gcc's directives-only mode) may read otherwise. Both
// err towards yes: a later option that undoes an earlier one is not
// weighed.

// MayReadTrigraphs reports whether the compile may read trigraphs ("??="
// as '#'): gcc does with -trigraphs (also passed through -Wp, or
// -Xpreprocessor), -ansi, or a strict -std: any ISO C, and C++ before
// C++17.
func (inv *Invocation) MayReadTrigraphs() bool {
	return inv.anyArg(func(a string) bool {
		return a == "-trigraphs" || a == "--trigraphs"
	}, func(std string) bool {
		if strings.HasPrefix(std, "gnu") {
			return false
		}
		switch std {
		case "c++17", "c++1z", "c++20", "c++2a", "c++23", "c++2b", "c++26", "c++2c":
			return false
		}
		return true
	})
}

// MayLackRawStrings reports whether the compile may read R"(...)" as other
// than a raw string literal: gcc reads one only in GNU C from gnu99 on
// (the default) and in C++ from C++11 on (the default), not with -ansi.
func (inv *Invocation) MayLackRawStrings() bool {
	if inv.Lang != "c" && inv.Lang != "c++" {
		return true
	}
	return inv.anyArg(func(string) bool { return false }, func(std string) bool {
		switch std {
		case "c++98", "c++03", "gnu++98", "gnu++03", "gnu89", "gnu90":
			return true
		}
		return !strings.HasPrefix(std, "gnu") && !strings.HasPrefix(std, "c++")
	})
}

// MayLackDigitSeparators reports whether the compile may read the ' in
// 1'000 as the start of a character literal: gcc reads a digit separator
// only in C from C2x on and in C++ from C++14 on (the default), not with
// -ansi.
func (inv *Invocation) MayLackDigitSeparators() bool {
	switch inv.Lang {
	case "c":
		on := false // the last of -std and -ansi decides
		for _, a := range inv.compilerArgs() {
			if a == "-ansi" || a == "--ansi" {
				on = false
			} else if _, std, ok := strings.Cut(a, "="); ok && (strings.HasPrefix(a, "-std=") || strings.HasPrefix(a, "--std=")) {
				on = slices.Contains([]string{"c2x", "gnu2x", "c23", "gnu23"}, std)
			}
		}
		return !on
	case "c++":
		return inv.anyArg(func(string) bool { return false }, func(std string) bool {
			switch strings.TrimPrefix(strings.TrimPrefix(std, "gnu++"), "c++") {
			case "98", "03", "0x", "11":
				return true
			}
			return !strings.HasPrefix(std, "c++") && !strings.HasPrefix(std, "gnu++")
		})
	}
	return true
}

// MayLackLineComments reports whether the compile may read "//" as other
// than a comment: C90 has none (-ansi, -std=c89, c90, iso9899:1990 or
// iso9899:199409), while gcc's directives-only mode takes one for a
// comment in every mode, and would read a #define that a "/*" after the
// "//" hides from the compile. C++ and GNU C read them.
func (inv *Invocation) MayLackLineComments() bool {
	if inv.Lang == "c++" || inv.Lang == "objective-c++" {
		return false
	}
	return inv.anyArg(func(string) bool { return false }, func(std string) bool {
		switch std {
		case "c89", "c90", "iso9899:1990", "iso9899:199409":
			return true
		}
		return false
	})
}

// anyArg reports whether -ansi, or an argument that other says yes to, or
// a -std= value that std says yes to, is among the compiler's arguments.
func (inv *Invocation) anyArg(other func(string) bool, std func(string) bool) bool {
	for _, a := range inv.compilerArgs() {
		switch {
		case a == "-ansi", a == "--ansi", other(a):
			return true
		case strings.HasPrefix(a, "-std=") || strings.HasPrefix(a, "--std="):
			if std(a[strings.IndexByte(a, '=')+1:]) {
				return true
			}
		}
	}
	return false
}

// compilerArgs are the arguments as the compiler proper may read them:
// each of a -Wp, list too (gcc hands them to cc1, which also compiles:
// -Wp,-std=c89 sets the language). -Xpreprocessor's argument is one of
// the arguments already. (Parse keeps a compile with either local, but
// for -Wp's dependency options: the answers here do not lean on that.)
func (inv *Invocation) compilerArgs() []string {
	args := inv.Args[1:]
	if !slices.ContainsFunc(args, func(a string) bool { return strings.HasPrefix(a, "-Wp,") }) {
		return args
	}
	var out []string
	for _, a := range args {
		if rest, ok := strings.CutPrefix(a, "-Wp,"); ok {
			out = append(out, strings.Split(rest, ",")...)
		} else {
			out = append(out, a)
		}
	}
	return out
}
