package toolchain

import (
	"debug/elf"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// The dynamic loader takes the libraries of the compiler's programs (cc1's
// libisl, libmpfr, libgmp, libzstd, libc) from LD_LIBRARY_PATH's
// directories first: a library found there is loaded into the compiler,
// and no key covers it. The probe lists the libraries the programs need
// (their DT_NEEDED, and those of the libraries found in the system's
// directories, to the end); a compile whose LD_LIBRARY_PATH holds one of
// them runs locally.

// libraryDirs are where the loader finds libraries by default: those
// /etc/ld.so.conf.d names (Debian's multiarch directories), the target's,
// then the standard ones.
func libraryDirs(target string) []string {
	var dirs []string
	confs, _ := filepath.Glob("/etc/ld.so.conf.d/*.conf")
	for _, conf := range confs {
		data, _ := os.ReadFile(conf)
		for _, line := range strings.Split(string(data), "\n") {
			if line = strings.TrimSpace(line); filepath.IsAbs(line) {
				dirs = append(dirs, line)
			}
		}
	}
	if target != "" {
		dirs = append(dirs, "/lib/"+target, "/usr/lib/"+target)
	}
	return append(dirs, "/lib", "/usr/lib", "/lib64", "/usr/lib64")
}

// neededLibraries returns the sonames the programs need, directly or
// through the libraries they need, sorted.
func neededLibraries(programs []string, target string) []string {
	seen := map[string]bool{}
	queue := slices.Clone(programs)
	system := libraryDirs(target)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		libs, _ := f.ImportedLibraries()
		// The program's own RUNPATH (clang's $ORIGIN/../lib) comes
		// first where LD_LIBRARY_PATH does not.
		var own []string
		for _, tag := range []elf.DynTag{elf.DT_RUNPATH, elf.DT_RPATH} {
			paths, _ := f.DynString(tag)
			for _, rp := range paths {
				for _, d := range strings.Split(rp, ":") {
					own = append(own, strings.ReplaceAll(d, "$ORIGIN", filepath.Dir(p)))
				}
			}
		}
		f.Close()
		for _, lib := range libs {
			if seen[lib] {
				continue
			}
			seen[lib] = true
			for _, d := range append(own, system...) {
				if cand := filepath.Join(d, lib); fileExists(cand) {
					queue = append(queue, cand)
					break
				}
			}
		}
	}
	names := make([]string, 0, len(seen))
	for lib := range seen {
		names = append(names, lib)
	}
	slices.Sort(names)
	return names
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// LoadedFrom returns a library of the compiler that a directory of
// libraryPath (LD_LIBRARY_PATH's value; an empty entry is cwd) holds, or "".
func (tc *Toolchain) LoadedFrom(libraryPath, cwd string) string {
	for _, dir := range strings.Split(libraryPath, ":") {
		if dir == "" {
			dir = "."
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cwd, dir)
		}
		for _, lib := range tc.Libraries {
			if p := filepath.Join(dir, lib); fileExists(p) {
				return p
			}
		}
	}
	return ""
}
