package compiler

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestEnvPolicy(t *testing.T) {
	tests := []struct {
		name  string
		keyed bool
		local string
	}{
		{"LANG", true, ""}, {"LC_ALL", true, ""}, {"LC_MESSAGES", true, ""},
		{"CPATH", true, ""}, {"CPLUS_INCLUDE_PATH", true, ""}, {"OBJC_INCLUDE_PATH", true, ""},
		{"SOURCE_DATE_EPOCH", true, ""},
		{"GCC_COLORS", true, ""}, {"GCC_URLS", true, ""}, {"TERM_URLS", true, ""}, {"COLUMNS", true, ""},
		{"CLANG_NO_DEFAULT_CONFIG", true, ""},
		{"GCC_EXEC_PREFIX", false, envTools}, {"COMPILER_PATH", false, envTools},
		{"DEPENDENCIES_OUTPUT", false, envWrite}, {"SUNPRO_DEPENDENCIES", false, envWrite},
		{"GCC_COMPARE_DEBUG", false, envWrite},
		{"CCC_OVERRIDE_OPTIONS", false, "clang rewrites its command line with it"},
		{"CC_PRINT_HEADERS", false, envWrite}, {"CC_LOG_DIAGNOSTICS_FILE", false, envWrite},
		{"LD_PRELOAD", false, "a library preloaded into the compiler"},
		{"LD_AUDIT", false, "a library loaded into the compiler to audit it"},
		{"GCONV_PATH", false, "the compiler's charset conversions come from files rex does not key"},
		{"LOCPATH", false, "the compiler's locale data come from files rex does not key"},
		{"PATH", false, ""}, {"TMPDIR", false, ""}, {"LIBRARY_PATH", false, ""}, {"TERM", false, ""},
		{"HOME", false, ""}, {"MAKEFLAGS", false, ""}, {"CC", false, ""}, {"CFLAGS", false, ""},
	}
	for _, tt := range tests {
		keyed, local := EnvPolicy(tt.name)
		if keyed != tt.keyed || local != tt.local {
			t.Errorf("EnvPolicy(%s) = %v, %q; want %v, %q", tt.name, keyed, local, tt.keyed, tt.local)
		}
	}
}

// TestEnvPolicyEffects shows, with the real compilers, that the variables
// EnvPolicy sends to a local compile do what it says: write a file, take
// tools from elsewhere, rewrite the command line; and that a keyed one
// changes the object.
func TestEnvPolicyEffects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	write("a.c", "#ifdef NEED_X\n#ifndef X\n#error no X\n#endif\n#endif\nconst char *d = __DATE__;\n", 0o644)
	if err := os.Mkdir(filepath.Join(dir, "tools"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("tools/as", "#!/bin/sh\necho fake-as >&2\nexec as \"$@\"\n", 0o755)
	run := func(env string, argv ...string) string {
		t.Helper()
		c := exec.Command(argv[0], argv[1:]...)
		c.Dir, c.Env = dir, append(os.Environ(), env)
		out, err := c.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %q: %v\n%s", env, argv, err, out)
		}
		return string(out)
	}
	exists := func(name string) bool { _, err := os.Stat(filepath.Join(dir, name)); return err == nil }

	run("DEPENDENCIES_OUTPUT=env.d", "gcc", "-c", "a.c")
	run("SUNPRO_DEPENDENCIES=sun.d", "gcc", "-c", "a.c")
	if !exists("env.d") || !exists("sun.d") {
		t.Errorf("DEPENDENCIES_OUTPUT/SUNPRO_DEPENDENCIES wrote no dependency file")
	}
	if out := run("COMPILER_PATH="+filepath.Join(dir, "tools"), "gcc", "-c", "a.c"); !strings.Contains(out, "fake-as") {
		t.Errorf("gcc did not run the assembler from COMPILER_PATH: %q", out)
	}
	obj := func() []byte {
		data, err := os.ReadFile(filepath.Join(dir, "a.o"))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	run("SOURCE_DATE_EPOCH=0", "gcc", "-c", "a.c")
	o1 := obj()
	run("SOURCE_DATE_EPOCH=1000000000", "gcc", "-c", "a.c")
	if string(o1) == string(obj()) {
		t.Errorf("SOURCE_DATE_EPOCH did not change __DATE__")
	}
	if _, err := exec.LookPath("clang"); err != nil {
		t.Skip("clang not installed")
	}
	run("CCC_OVERRIDE_OPTIONS=+-DX", "clang", "-DNEED_X", "-c", "a.c")
}
