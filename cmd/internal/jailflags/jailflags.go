// Package jailflags declares the flags of the workers' sandbox, which
// rex-worker and rex-server (for its embedded workers) share, and turns
// them into worker.JailOptions.
package jailflags

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/bytesize"
	"github.com/rexbuild/rex/worker"
)

// Flags are the sandbox's flags; each may also come from the variable
// envPrefix + its name in capitals (REX_WORKER_SANDBOX_UID, say).
func Flags(envPrefix string) []cli.Flag {
	env := func(name string) []string { return []string{envPrefix + name} }
	return []cli.Flag{
		&cli.IntFlag{Name: "sandbox-uid", Value: 65534, EnvVars: env("SANDBOX_UID"),
			Usage: "unprivileged host uid sandboxed actions run as"},
		&cli.IntFlag{Name: "sandbox-gid", Value: 65534, EnvVars: env("SANDBOX_GID"),
			Usage: "unprivileged host gid sandboxed actions run as"},
		&cli.StringSliceFlag{Name: "sandbox-expose", EnvVars: env("SANDBOX_EXPOSE"),
			Usage: "host path sandboxed actions see read-only, besides /usr, /bin, /sbin, /lib*, /etc (repeatable; e.g. a compiler in /opt)"},
		&cli.StringFlag{Name: "sandbox-memory", Value: "4GiB", EnvVars: env("SANDBOX_MEMORY"),
			Usage: "address space of each process of a sandboxed action (RLIMIT_AS)"},
		&cli.Int64Flag{Name: "sandbox-processes", Value: 256, EnvVars: env("SANDBOX_PROCESSES"),
			Usage: "processes and threads of a sandboxed action"},
		&cli.StringFlag{Name: "sandbox-disk", Value: "4GiB", EnvVars: env("SANDBOX_DISK"),
			Usage: "disk quota of a sandboxed action's directory, and size of its private /tmp"},
	}
}

// Options reads the flags Flags declared.
func Options(c *cli.Context) (worker.JailOptions, error) {
	o := worker.JailOptions{UID: c.Int("sandbox-uid"), GID: c.Int("sandbox-gid"),
		Expose: c.StringSlice("sandbox-expose"), Processes: c.Int64("sandbox-processes")}
	if o.UID <= 0 || o.GID <= 0 {
		return o, fmt.Errorf("--sandbox-uid %d, --sandbox-gid %d: want unprivileged ids (not root)", o.UID, o.GID)
	}
	if o.Processes <= 0 {
		return o, fmt.Errorf("--sandbox-processes %d: must be at least 1", o.Processes)
	}
	var err error
	if o.MemoryBytes, err = positiveSize(c, "sandbox-memory"); err != nil {
		return o, err
	}
	if o.DiskBytes, err = positiveSize(c, "sandbox-disk"); err != nil {
		return o, err
	}
	return o, nil
}

func positiveSize(c *cli.Context, name string) (int64, error) {
	n, err := bytesize.Parse(c.String(name))
	if err == nil && n <= 0 {
		err = fmt.Errorf("must be more than 0")
	}
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return n, nil
}
