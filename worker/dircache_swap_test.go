package worker

import (
	"testing"
	"time"

	"github.com/rexbuild/rex/client"
)

// The directory that holds a shared subtree is the action's own, so the
// action can rename the subtree away and leave a directory of its making,
// or another subtree, in its place. What comes back under the subtree's
// name must not be taken for the subtree: the next action with the same
// inputs sees them as uploaded.
func TestDirCacheRefusesASubtreeSwappedOrReplaced(t *testing.T) {
	requireSandbox(t, JailOptions{})
	e := newEnv(t, Options{})
	inputs := []client.Input{
		{Path: "include/sys/a.h", Data: []byte("#define A 1\n")},
		{Path: "include/b.h", Data: []byte("#define B 2\n")},
		{Path: "other/b.h", Data: []byte("#define B 3\n")},
		{Path: "empty", IsDir: true},
		{Path: "src/x.c", Data: []byte("int x;\n")},
	}
	for _, attack := range []string{
		// its own directory, writable by the next action too
		`mv include gone && mkdir -p include/sys && echo evil > include/sys/a.h && echo evil > include/b.h && chmod -R 777 include`,
		// another shared subtree, which holds only the worker's files
		`mv include tmp && mv other include && mv tmp other`,
		// an empty subtree removed, its inode number likely to come again
		`rmdir empty && mkdir empty && echo evil > empty/x.h && chmod 755 empty`,
	} {
		ar := e.result(t, e.run(t, e.upload(t, shCommand(attack+"; echo done > src/x.o", "src/x.o"), inputs), time.Minute))
		if ar.GetExitCode() != 0 {
			t.Fatalf("attack %q failed: %s", attack, e.read(t, ar.GetStderrDigest()))
		}
		check := `cat include/sys/a.h include/b.h other/b.h; ls -A empty; echo ok > src/y.o`
		ar = e.result(t, e.run(t, e.upload(t, shCommand(check, "src/y.o"), inputs), time.Minute))
		want := "#define A 1\n#define B 2\n#define B 3\n"
		if got := string(e.read(t, ar.GetStdoutDigest())); got != want {
			t.Errorf("after %q the next action read\n%s\nwant\n%s\nstderr %s", attack, got, want, e.read(t, ar.GetStderrDigest()))
		}
	}
}
