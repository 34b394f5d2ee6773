package compiler

import (
	"path/filepath"
	"strings"
)

// finish checks the whole command and computes the outputs.
func (st *state) finish() {
	switch {
	case !st.compile:
		st.local("not a compile (no -c): link")
		return
	case st.linkInput != "":
		st.local("linker input with -c: " + st.linkInput)
		return
	case len(st.sources) == 0:
		st.local("no source file")
		return
	case (st.md || st.mmd) && st.wpDepFile != "":
		st.local("both -MD and -Wp,-MD")
		return
	}
	inv := st.inv
	inv.Source = st.sources[0].value
	inv.Output = st.output
	if !st.haveOutput {
		inv.Output = replaceExt(filepath.Base(inv.Source), ".o")
	}
	st.checkEmbeddedPaths()
	if st.reason != "" {
		return
	}
	st.depFile()
	inv.Outputs = append(inv.Outputs, inv.Output)
	if inv.DepFile != "" {
		inv.Outputs = append(inv.Outputs, inv.DepFile)
	}
	dwo, why := inv.splitDwarfOutput()
	if why != "" {
		st.local(why)
		return
	}
	if dwo {
		inv.Outputs = append(inv.Outputs, replaceExt(inv.Output, ".dwo"))
	}
	if st.coverage {
		inv.Outputs = append(inv.Outputs, replaceExt(inv.Output, ".gcno"))
	}
	if st.stackUsage {
		inv.Outputs = append(inv.Outputs, replaceExt(inv.Output, ".su"))
	}
	for _, o := range inv.Outputs {
		if strings.HasPrefix(filepath.Clean(o), "/dev/") {
			st.local("output to a device: " + o)
		}
	}
}

// depFile names the dependency file and decides whether RemoteArgs must
// pin its target with -MQ.
func (st *state) depFile() {
	inv := st.inv
	inv.DepsOmitSystem = st.mmd || st.wpMMD
	switch {
	case st.md || st.mmd:
		inv.DepFile = st.mf
		if inv.DepFile == "" {
			inv.DepFile = replaceExt(inv.Output, ".d")
			inv.addMF = true
		}
		// The driver's default target is the -o value, quoted like -MQ.
		if !st.targets {
			inv.addMQ = inv.Output
		}
	case st.wpDepFile != "":
		inv.DepFile = st.wpDepFile
		// Through -Wp, gcc's preprocessor does not see -o: its target is
		// the source basename with .o, which no path rewrite changes.
		// clang's driver passes the -o value on as the target.
		if !st.targets && inv.Family == Clang {
			inv.addMQ = inv.Output
		}
	}
	if inv.DepFile == "-" {
		// The rule goes to stdout: a hit would write it to a file named -.
		st.local("dependency rule to stdout")
	}
}

// replaceExt replaces the suffix of the last path element of p (if any)
// with ext, as gcc and clang name auxiliary outputs.
func replaceExt(p, ext string) string {
	return strings.TrimSuffix(p, filepath.Ext(p)) + ext
}
