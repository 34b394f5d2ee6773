package main

import (
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/worker"
)

// parse runs the app's flag definitions over args and returns the options.
func parse(t *testing.T, args ...string) (worker.Options, error) {
	t.Helper()
	app := &cli.App{Name: "rex-worker", Flags: flags(), Writer: io.Discard, ErrWriter: io.Discard}
	var opts worker.Options
	var err error
	app.Action = func(c *cli.Context) error {
		opts, err = optionsFrom(c)
		return nil
	}
	if runErr := app.Run(append([]string{"rex-worker"}, args...)); runErr != nil {
		return opts, runErr
	}
	return opts, err
}

func TestOptionsFromFlags(t *testing.T) {
	opts, err := parse(t, "--dir", "/w", "--platform", "OSFamily=linux", "--platform", "arch=amd64",
		"--concurrency", "3", "--sandbox", "none", "--id", "w7", "--max-output-bytes", "1024",
		"--sandbox-uid", "2000", "--sandbox-expose", "/opt/gcc", "--sandbox-expose", "/opt/clang",
		"--sandbox-memory", "1GiB", "--sandbox-processes", "64", "--cache-size", "2GiB")
	if err != nil {
		t.Fatal(err)
	}
	opts.Logf = nil
	want := worker.Options{ID: "w7", Dir: "/w", Concurrency: 3, Sandbox: worker.SandboxNone, MaxOutputBytes: 1024,
		CacheBytes: 2 << 30, Platform: map[string]string{"OSFamily": "linux", "arch": "amd64"},
		Jail: worker.JailOptions{UID: 2000, GID: 65534, Expose: []string{"/opt/gcc", "/opt/clang"},
			MemoryBytes: 1 << 30, Processes: 64, DiskBytes: 4 << 30},
		Spawner: worker.SelfSpawner()}
	if diff := cmp.Diff(want, opts, cmpopts.IgnoreUnexported(worker.Options{})); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
}

func TestEnvironmentFeedsFlags(t *testing.T) {
	t.Setenv("REX_WORKER_DIR", "/from-env")
	t.Setenv("REX_WORKER_CONCURRENCY", "2")
	opts, err := parse(t)
	if err != nil || opts.Dir != "/from-env" || opts.Concurrency != 2 {
		t.Fatalf("got %+v, %v", opts, err)
	}
}

func TestBadFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"--dir", "/w", "--platform", "novalue"},
		{"--dir", "/w", "--sandbox", "chroot"},
		{"--dir", "/w", "--concurrency", "0"},
		{},
	} {
		if _, err := parse(t, args...); err == nil {
			t.Errorf("%q accepted", args)
		}
	}
}

func TestSandboxFlagsRefuseRootAndNonsense(t *testing.T) {
	for _, args := range [][]string{
		{"--sandbox-uid", "0"}, {"--sandbox-gid", "-1"}, {"--sandbox-memory", "lots"},
		{"--sandbox-disk", "0"}, {"--sandbox-processes", "0"},
	} {
		if _, err := parse(t, append([]string{"--dir", "/w"}, args...)...); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
