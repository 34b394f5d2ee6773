//go:build !rexslim

package toolchain

// Capturing a toolchain digests its tree as an input root (package client):
// a rexslim build, which serves local hits only, leaves it out.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/digest"
)

// Capture returns the toolchain tree of tc under the digest function fn.
// Hashing it costs reading tens of MB, so the answer is kept under stateDir
// (when set) and used again while every file keeps its stat data, every
// symlink its target and every absent file its absence.
func Capture(ctx context.Context, stateDir string, tc *Toolchain, fn digest.Function, env []string) (*Tree, error) {
	file := ""
	if stateDir != "" {
		key := "tree\x00" + tc.Path + "\x00" + envValue(env, "PATH") + "\x00" + fn.Name()
		file = filepath.Join(stateDir, "toolchains", digest.SHA256.FromBytes([]byte(key)).Hash+".tree")
		if t := loadTree(file, fn); t != nil {
			return t, nil
		}
	}
	c, absent, err := collect(ctx, tc, env)
	if err != nil {
		return nil, fmt.Errorf("toolchain: %w", err)
	}
	t, err := c.tree(fn, absent)
	if err != nil {
		return nil, fmt.Errorf("toolchain: %w", err)
	}
	if file != "" {
		saveJSON(file, t)
	}
	return t, nil
}

// launcher is the program a chrooting runner starts commands through.
const launcher = "/usr/bin/env"

// collect finds what a compile's programs need: the driver, the programs
// it runs for -c (cc1, cc1plus, as; clang compiles in its own process) and
// the launcher, each with its loader and libraries, and the files the
// driver reads at start-up (see startupFiles).
func collect(ctx context.Context, tc *Toolchain, env []string) (*collector, []string, error) {
	run := func(args ...string) (string, error) { return output(ctx, tc.Path, env, args...) }
	c := newCollector()
	programs := []string{tc.Path}
	for _, prog := range []string{"cc1", "cc1plus", "as"} {
		if p := programPath(run, prog, env); p != "" {
			programs = append(programs, p)
		}
	}
	// Buildbarn's chroot runner starts every command through /usr/bin/env,
	// looked up in the root.
	if _, err := os.Stat(launcher); err == nil {
		programs = append(programs, launcher)
	}
	for _, p := range programs {
		if err := c.addELF(p); err != nil {
			return nil, nil, err
		}
	}
	var absent []string
	for _, p := range startupFiles(run, tc.Path) {
		if _, err := os.Stat(p); err != nil {
			absent = append(absent, p)
			continue
		}
		if _, err := c.add(p); err != nil {
			return nil, nil, err
		}
	}
	sort.Strings(absent)
	return c, absent, nil
}

// startupFiles are the files a driver reads, when they exist, before it
// compiles anything: gcc's specs in its installation directory; the C
// run-time start files, by which clang finds the GCC installation whose
// libstdc++ headers it uses; and the release files by which clang tells
// distributions apart (its defaults depend on the distribution).
func startupFiles(run func(...string) (string, error), driver string) []string {
	var files []string
	for _, d := range installDirs(run) {
		files = append(files, filepath.Join(d, "specs"))
	}
	for _, crt := range []string{"crt1.o", "crti.o", "crtn.o", "crtbegin.o", "crtend.o"} {
		if out, err := run("-print-file-name=" + crt); err == nil && filepath.IsAbs(strings.TrimSpace(out)) {
			files = append(files, strings.TrimSpace(out))
		}
	}
	if strings.Contains(filepath.Base(driver), "clang") {
		files = append(files, "/etc/os-release", "/usr/lib/os-release", "/etc/lsb-release",
			"/etc/debian_version", "/etc/redhat-release")
	}
	return dedupe(files)
}

// tree hashes the collected files and digests the tree they make.
func (c *collector) tree(fn digest.Function, absent []string) (*Tree, error) {
	t := &Tree{Function: fn.Name(), Links: c.links, Absent: absent}
	for p := range c.files {
		st, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		d, err := fn.FromFile(p)
		if err != nil {
			return nil, err
		}
		t.Files = append(t.Files, File{Path: p, Digest: d, Exec: st.Mode().Perm()&0o111 != 0, Stat: statKey(st)})
	}
	sort.Slice(t.Files, func(i, j int) bool { return t.Files[i].Path < t.Files[j].Path })
	root, _, err := client.BuildTree(fn, t.Inputs())
	if err != nil {
		return nil, err
	}
	t.Root = root.String()
	return t, nil
}

// Inputs lists the tree as input-root entries, at the files' absolute
// paths (relative to the root "/").
func (t *Tree) Inputs() []client.Input {
	ins := make([]client.Input, 0, len(t.Files)+len(t.Links))
	for _, f := range t.Files {
		ins = append(ins, client.Input{Path: strings.TrimPrefix(f.Path, "/"), Source: f.Path, Digest: f.Digest, Executable: f.Exec})
	}
	for p, target := range t.Links {
		ins = append(ins, client.Input{Path: strings.TrimPrefix(p, "/"), Symlink: target})
	}
	return ins
}
