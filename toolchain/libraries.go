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
// through the libraries they need, each with the file the loader takes by
// default ("" when none is found). The loader itself (PT_INTERP) is never
// taken from LD_LIBRARY_PATH and is left out.
func neededLibraries(programs []string, target string) map[string]string {
	found := map[string]string{}
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
			if _, seen := found[lib]; seen || strings.HasPrefix(lib, "ld-linux") || strings.HasPrefix(lib, "ld64.so") {
				continue
			}
			found[lib] = ""
			for _, d := range append(own, system...) {
				if cand := filepath.Join(d, lib); fileExists(cand) {
					found[lib] = cand
					queue = append(queue, cand)
					break
				}
			}
		}
	}
	return found
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// LoadedFrom returns a library of the compiler that libraryPath
// (LD_LIBRARY_PATH's value) makes the loader take instead of the one it
// takes by default, or a reason it cannot tell; "" when there is none. An
// empty entry is cwd; ';' separates entries too; the loader also searches
// an entry's hardware-capability subdirectories (glibc-hwcaps/x86-64-v3,
// tls, x86_64, haswell); "$ORIGIN", "$LIB" and "$PLATFORM" it expands.
func (tc *Toolchain) LoadedFrom(libraryPath, cwd string) string {
	for _, dir := range strings.Split(strings.ReplaceAll(libraryPath, ";", ":"), ":") {
		if strings.Contains(dir, "$") {
			return "the entry " + dir + ", which the loader expands"
		}
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(cwd, dir)
		}
		places := []string{dir}
		hwcaps, _ := filepath.Glob(filepath.Join(dir, "glibc-hwcaps", "*"))
		places = append(places, hwcaps...)
		for _, sub := range legacyCapDirs {
			// Most directories have none: one stat each, not one per
			// library.
			if p := filepath.Join(dir, sub); fileExists(p) {
				places = append(places, p)
			}
		}
		for lib, def := range tc.Libraries {
			for _, place := range places {
				if c := filepath.Join(place, lib); fileExists(c) && !sameFile(c, def) {
					return c
				}
			}
		}
	}
	return ""
}

// legacyCapDirs are the subdirectories glibc before 2.37 searches in each
// directory of LD_LIBRARY_PATH on x86-64 (TLS, the platform and the
// hardware capabilities), and their combinations.
var legacyCapDirs = func() []string {
	var dirs []string
	for _, tls := range []string{"", "tls"} {
		for _, platform := range []string{"", "haswell", "xeon_phi"} {
			for _, cap := range []string{"", "x86_64", "avx512_1"} {
				if d := filepath.Join(tls, platform, cap); d != "" {
					dirs = append(dirs, d)
				}
			}
		}
	}
	return dirs
}()

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	if b == "" {
		return false
	}
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}
