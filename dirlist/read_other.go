//go:build !linux

package dirlist

// read lists dir (see readNames: the raw entries differ from system to
// system).
func read(dir string) (*Names, bool) { return readNames(dir) }
