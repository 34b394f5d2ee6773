package doctor

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

// probeSource is compiled remotely and locally. The stamp makes every
// probe a new action: a cached result would not show what the workers do
// now.
const probeSource = `/* rex doctor probe %s */
#include <stdio.h>
#include <stdlib.h>
int probe(int n) { char b[32]; snprintf(b, sizeof b, "%%d", n * 7); return atoi(b); }
`

// probe compiles a small file through the wrapper and with the compiler
// itself, and compares the objects byte for byte.
func (r *report) probe(ctx context.Context, cfg wrapper.Config, opts Options) {
	dir, err := os.MkdirTemp("", "rex-doctor-")
	if err != nil {
		r.add(Problem, "probe compile", err.Error(), "")
		return
	}
	defer os.RemoveAll(dir)
	src := fmt.Sprintf(probeSource, time.Now().Format(time.RFC3339Nano))
	for _, sub := range []string{"remote", "local"} {
		os.MkdirAll(filepath.Join(dir, sub), 0o755)
		if err := os.WriteFile(filepath.Join(dir, sub, "probe.c"), []byte(src), 0o644); err != nil {
			r.add(Problem, "probe compile", err.Error(), "")
			return
		}
	}
	argv := []string{opts.Compiler, "-O2", "-c", "probe.c", "-o", "probe.o"}
	local := exec.CommandContext(ctx, argv[0], argv[1:]...)
	local.Dir, local.Env = filepath.Join(dir, "local"), opts.Env
	if out, err := local.CombinedOutput(); err != nil {
		r.add(Problem, "probe compile", fmt.Sprintf("%s fails locally: %v: %s", opts.Compiler, err, out),
			"install the compiler, or name one with --compiler")
		return
	}
	// A state directory of its own: the probe counts in no stats, and a
	// marker of an earlier unreachable server does not short-cut it.
	cfg.StateDir, cfg.ProjectRoot, cfg.VerifyRate = filepath.Join(dir, "state"), filepath.Join(dir, "remote"), 0
	res := wrapper.Run(ctx, cfg, wrapper.Invocation{Argv: argv, Dir: filepath.Join(dir, "remote"), Env: opts.Env})
	r.judgeProbe(res, cfg, filepath.Join(dir, "remote", "probe.o"), filepath.Join(dir, "local", "probe.o"))
}

func (r *report) judgeProbe(res wrapper.Result, cfg wrapper.Config, remote, local string) {
	switch res.Outcome {
	case stats.RemoteExecution, stats.CacheMiss, stats.CacheHit:
	case stats.LocalFallback:
		why := fmt.Sprint(res.Reason)
		fix := "run with REX_VERBOSE=1 and read the server's log"
		if strings.Contains(why, "platform") && len(cfg.Platform) > 0 {
			fix = fmt.Sprintf("no worker offers the platform properties set with REX_REMOTE_PLATFORM_* (%s): "+
				"unset them or match what the workers offer", platformText(cfg.Platform))
		}
		r.add(Problem, "probe compile", "the remote compile failed, so every compile would fall back: "+why, fix)
		return
	default:
		r.add(Problem, "probe compile", fmt.Sprintf("%s: %v", res.Outcome, res.Reason), "")
		return
	}
	if res.ExitCode != 0 {
		r.add(Problem, "probe compile", fmt.Sprintf("the remote compile failed (exit %d): %s", res.ExitCode, res.Stderr),
			"the workers lack the compiler or its headers: install the same toolchain there")
		return
	}
	a, errA := os.ReadFile(remote)
	b, errB := os.ReadFile(local)
	switch {
	case errA != nil || errB != nil:
		r.add(Problem, "probe compile", fmt.Sprintf("objects missing: %v %v", errA, errB), "")
	case !bytes.Equal(a, b):
		r.add(Problem, "toolchain", fmt.Sprintf("the %s object differs from the local compile's (%d and %d bytes)",
			res.Outcome, len(a), len(b)), "the workers' compiler differs from this machine's: install the same version at the same path")
	default:
		r.add(OK, "probe compile", fmt.Sprintf("%s (action %s), object identical to the local compile's", res.Outcome, res.Action), "")
	}
}

func platformText(p map[string]string) string {
	var parts []string
	for k, v := range p {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
