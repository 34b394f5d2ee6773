//go:build !linux

package dirlist

// read lists dir (see readNames: the raw entries differ from system to
// system), when the directory opened is the one stated as st.
func read(dir string, st Stat) (*Names, bool) { return readNames(dir, &st) }
