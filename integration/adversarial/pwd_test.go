package adversarial

import "testing"

// gcc and clang take the working directory from PWD, verbatim, when it
// names the directory they run in: a PWD spelled with "/." or "//" is the
// debug info's compilation directory as it is spelled.
func TestUncleanPWD(t *testing.T) {
	for _, s := range []spec{{
		name:   "gcc -g under PWD ending in /.",
		files:  map[string]string{"a.c": "int f(void) { return 1; }\n"},
		env:    []string{"PWD={R}/."},
		cmd:    []string{"gcc", "-g", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}, {
		name:   "clang -g under PWD with a double slash",
		tool:   "clang",
		files:  map[string]string{"a.c": "int f(void) { return 1; }\n"},
		env:    []string{"PWD=/{R}"},
		cmd:    []string{"clang", "-g", "-c", "a.c", "-o", "a.o"},
		mutate: edit("a.c", "int f(void) { return 2; }\n"),
	}} {
		s.class = "paths"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}
