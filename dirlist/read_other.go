//go:build !linux

package dirlist

import "os"

// read lists dir through Go's own reading of directories: the raw entries
// that Linux's read parses differ from system to system.
func read(dir string) (*Names, bool) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, false
	}
	defer f.Close()
	list, err := f.Readdirnames(-1) // os retries what a signal interrupts
	if err != nil {
		return nil, false
	}
	set := make(map[string]struct{}, len(list))
	for _, name := range list {
		set[name] = struct{}{}
	}
	return newNames(set), true
}
