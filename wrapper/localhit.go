package wrapper

import (
	"github.com/rexbuild/rex/compiler"
	"github.com/rexbuild/rex/localhit"
	"github.com/rexbuild/rex/toolchain"
)

// The checks and names a compile shares with the local-hit path (package
// localhit), which the rex front end runs without this package.

var includePathEnv = localhit.IncludePathEnv

func envMap(env []string) map[string]string { return localhit.EnvMap(env) }

func depTempPath(cwd, depFile string) string { return localhit.DepTempPath(cwd, depFile) }

func unwritableOutput(cwd string, p *compiler.Invocation) string {
	return localhit.UnwritableOutput(cwd, p)
}

// envRunsLocally names a variable of env that makes the compiler read or
// write what rex cannot key, and why.
func envRunsLocally(env map[string]string) error {
	if why := localhit.EnvRunsLocally(env); why != "" {
		return localf("%s", why)
	}
	return nil
}

// toolchainRunsLocally keeps the compile local where the toolchain is not
// the one hashed (see localhit.ToolchainRunsLocally).
func toolchainRunsLocally(tc *toolchain.Toolchain, env map[string]string, dir string, args []string) error {
	if why := localhit.ToolchainRunsLocally(tc, env, dir, args); why != "" {
		return localf("%s", why)
	}
	return nil
}

// askColor returns inv with the colour option a terminal asks for, if any
// (localhit.ColorArgv).
func askColor(inv Invocation, p *compiler.Invocation) Invocation {
	inv.Argv = localhit.ColorArgv(inv.Argv, inv.StderrIsTerminal, envMap(inv.Env), p)
	return inv
}

// localKey names plan's result in the local cache.
func localKey(plan *actionPlan) string {
	return localhit.ResultKey(plan.actionDigest, plan.portable, plan.localRoot)
}
