package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// StartWorker starts bin/rex-worker against server (grpc://...) with a
// fresh directory, extra flags appended (--sandbox hermetic, say). It is
// stopped when the test ends; a failed test logs what it printed.
func StartWorker(t testing.TB, server string, extra ...string) {
	t.Helper()
	logs := t.TempDir()
	w := exec.Command(Bin(t, "rex-worker"), append([]string{"--server", server, "--dir", t.TempDir()}, extra...)...)
	log, err := os.Create(filepath.Join(logs, "worker.log"))
	if err != nil {
		t.Fatal(err)
	}
	w.Stdout, w.Stderr = log, log
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.Process.Kill()
		w.Wait()
		log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			t.Logf("rex-worker log:\n%s", b)
		}
	})
}
