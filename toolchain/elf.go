//go:build !rexslim

package toolchain

import (
	"debug/elf"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// addELF records the program at path and everything the dynamic loader
// loads to run it: the loader its PT_INTERP names, and the libraries its
// dynamic section needs (DT_NEEDED), transitively. Libraries are found as a
// loader without /etc/ld.so.cache finds them (the hermetic root has none):
// the object's DT_RUNPATH (or DT_RPATH), then the loader's built-in
// directories. A library found nowhere there would not load remotely, so
// the capture fails and the compile stays local.
func (c *collector) addELF(path string) error {
	seen := map[string]bool{}
	return c.addObject(path, seen)
}

func (c *collector) addObject(path string, seen map[string]bool) error {
	real, err := c.add(path)
	if err != nil {
		return err
	}
	if seen[real] {
		return nil
	}
	seen[real] = true
	f, err := elf.Open(real)
	if err != nil {
		return fmt.Errorf("capture %s: %w", path, err)
	}
	defer f.Close()
	if interp := interpreter(f); interp != "" {
		if err := c.addObject(interp, seen); err != nil {
			return err
		}
	}
	needed, err := f.ImportedLibraries()
	if err != nil {
		return fmt.Errorf("capture %s: dynamic section: %w", path, err)
	}
	dirs := append(runPath(f, filepath.Dir(real)), systemLibDirs(f.Machine)...)
	for _, lib := range needed {
		p, ok := findLibrary(lib, dirs)
		if !ok {
			return fmt.Errorf("capture %s: library %s is not in %s (found only through ld.so.cache?)",
				path, lib, strings.Join(dirs, ":"))
		}
		if err := c.addObject(p, seen); err != nil {
			return err
		}
	}
	return nil
}

// interpreter is the loader a PT_INTERP segment names, or "".
func interpreter(f *elf.File) string {
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return ""
		}
		return strings.TrimRight(string(b), "\x00")
	}
	return ""
}

// runPath is the object's own library search path, $ORIGIN expanded.
// DT_RPATH counts only when there is no DT_RUNPATH, as for the loader.
func runPath(f *elf.File, origin string) []string {
	list, _ := f.DynString(elf.DT_RUNPATH)
	if len(list) == 0 {
		list, _ = f.DynString(elf.DT_RPATH)
	}
	var dirs []string
	for _, entry := range list {
		for _, d := range filepath.SplitList(entry) {
			d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", origin), "$ORIGIN", origin)
			if filepath.IsAbs(d) {
				dirs = append(dirs, d)
			}
		}
	}
	return dirs
}

// systemLibDirs are the directories glibc's loader searches without a
// cache, Debian's multiarch ones first (ld.so --help lists them).
func systemLibDirs(m elf.Machine) []string {
	triple := map[elf.Machine]string{
		elf.EM_X86_64: "x86_64-linux-gnu", elf.EM_AARCH64: "aarch64-linux-gnu",
		elf.EM_386: "i386-linux-gnu", elf.EM_RISCV: "riscv64-linux-gnu", elf.EM_PPC64: "powerpc64le-linux-gnu",
	}[m]
	var dirs []string
	if triple != "" {
		dirs = append(dirs, "/lib/"+triple, "/usr/lib/"+triple)
	}
	return append(dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib")
}

func findLibrary(name string, dirs []string) (string, bool) {
	if strings.Contains(name, "/") {
		return name, filepath.IsAbs(name)
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, true
		}
	}
	return "", false
}
