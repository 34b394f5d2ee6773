package adversarial

import "testing"

// gcc refuses -fdirectives-only beside -Wunused-macros, and gcc 12 stops
// at a _Pragma("GCC diagnostic ...") outside a macro after a #pragma
// message, so the scan of such a compile fails and runs again as a plain
// -E. That scan must list every file the compile reads, however it reads
// it, write the dependency file the compile would, give the compile's own
// warnings once, and leave a compile that fails for its own reasons to
// fail locally, with the compiler's own diagnostics.
func TestPlainPreprocessRetry(t *testing.T) {
	cmd := []string{"gcc", "-Wunused-macros", "-Iinc", "-Iinc2", "-include", "pre.h", "-imacros", "im.h",
		"-MD", "-MF", "c.d", "-c", "c.c", "-o", "c.o"}
	files := map[string]string{
		"c.c": "#define UNUSED 1\n#include \"a.h\"\n#if __has_include(\"maybe.h\")\n#include \"maybe.h\"\n#endif\n" +
			"#include <nx.h>\nint get(void) { return AV + MV + IM + NX + pre; }\n",
		"a.h": "#define AV 1\n", "im.h": "#define IM 3\n", "pre.h": "int pre = 4;\n",
		"inc/nx.h": "#include_next <nx.h>\n", "inc2/nx.h": "#define NX 7\n", "inc2/maybe.h": "#define MV 0\n",
	}
	// The _Pragma in a header, with -MMD: the dependency file leaves the
	// system headers out, as the compile's does.
	pragma := map[string]string{}
	for name, content := range files {
		pragma[name] = content
	}
	pragma["a.h"] = "#pragma message \"m\"\n_Pragma(\"GCC diagnostic push\")\n#define AV 1\n"
	mmd := []string{"gcc", "-Iinc", "-Iinc2", "-include", "pre.h", "-imacros", "im.h", "-MMD", "-c", "c.c", "-o", "c.o"}
	for _, s := range []spec{{
		name: "_Pragma after #pragma message: -imacros file edited", files: pragma, cmd: mmd,
		mutate: edit("im.h", "#define IM 31\n#include <stdio.h>\n"),
	}, {
		name: "_Pragma after #pragma message: __has_include target appears", files: pragma, cmd: mmd,
		mutate: edit("inc/maybe.h", "#define MV 51\n"),
	}, {
		name: "-imacros file edited", files: files, cmd: cmd,
		mutate: edit("im.h", "#define IM 30\n"),
	}, {
		name: "-include file edited", files: files, cmd: cmd,
		mutate: edit("pre.h", "int pre = 40;\n#include \"a.h\"\n"),
	}, {
		name: "#include_next target edited", files: files, cmd: cmd,
		mutate: edit("inc2/nx.h", "#define NX 70\n"),
	}, {
		name: "__has_include target appears in an earlier dir", files: files, cmd: cmd,
		mutate: edit("inc/maybe.h", "#define MV 50\n"),
	}, {
		name: "quote header made again in an -I dir (the source's dir comes first)", files: files, cmd: cmd,
		mutate: edit("inc/a.h", "#define AV 60\n"),
	}, {
		name: "#include_next finds a header put between", files: files,
		cmd:    []string{"gcc", "-Wunused-macros", "-Iinc", "-Imid", "-Iinc2", "-include", "pre.h", "-imacros", "im.h", "-MD", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh("mkdir mid") },
		mutate: edit("mid/nx.h", "#define NX 80\n"),
	}, {
		// gcc warns when the file is newer than the one a #pragma GCC
		// dependency names: the scan does not list it, so rex compiles
		// locally, warning and all.
		name:   "#pragma GCC dependency file made newer",
		files:  map[string]string{"dep.txt": "x\n", "c.c": "#define UNUSED 1\n#pragma GCC dependency \"dep.txt\"\nint v;\n"},
		cmd:    []string{"gcc", "-Wunused-macros", "-MD", "-c", "c.c", "-o", "c.o"},
		setup:  func(k *kase) { k.sh("touch -d '2020-01-01' dep.txt") },
		mutate: func(k *kase) { k.sh("touch dep.txt") },
	}, {
		name: "header edited to fail preprocessing", files: files, cmd: cmd,
		mutate: edit("a.h", "#include \"gone.h\"\n#define AV 1\n"),
	}, {
		name: "macro misused: a preprocessing error", files: files, cmd: cmd,
		mutate: edit("a.h", "#define F(x) x\n#define AV F(1, 2)\n"),
	}} {
		s.class = "retry"
		t.Run(s.name, func(t *testing.T) { run(t, s) })
	}
}
