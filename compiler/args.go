package compiler

import "strings"

// RemoteArgs returns the argv for the remote command: Args with every
// path-valued argument passed through rewrite, each option keeping the form
// the user wrote. When a dependency file is written and no -MT/-MQ was
// given, it adds -MQ with the output as written so the dependency file names
// the same target as a local compile, whatever rewrite does to -o; and when
// its name comes from -o, it adds -MF with the rewritten name.
func (inv *Invocation) RemoteArgs(rewrite func(path string) string) []string {
	rw := func(p string) string {
		// "=dir" is relative to the sysroot, not a file-system path.
		if p == "" || p[0] == '=' {
			return p
		}
		return rewrite(p)
	}
	out := []string{inv.Compiler}
	for _, it := range inv.items {
		v := it.value
		if it.spec == nil || it.spec.path {
			v = rw(v)
		}
		if it.spec != nil && it.spec.role == roleWp {
			v = joinComma(wpParts(v, rw, true))
		}
		out = appendItem(out, it, v)
	}
	if inv.addMF {
		out = append(out, "-MF", rw(inv.DepFile))
	}
	if inv.addMQ != "" {
		out = append(out, "-MQ", inv.addMQ)
	}
	return out
}

// DepsArgs returns the argv that prints the compile's make rule on stdout
// (-M, so system headers are listed) and writes no file: the compile flags
// without -c, -o, the dependency-file options and options that write
// auxiliary files.
func (inv *Invocation) DepsArgs() []string {
	out := []string{inv.Compiler}
	for _, it := range inv.items {
		v := it.value
		if it.spec != nil {
			switch it.spec.role {
			case roleCompile, roleOutput, roleMD, roleMMD, roleMF, roleTarget, roleMP,
				roleSplitDwarf, roleTestCoverage, roleStackUsage:
				continue
			case roleWp:
				parts := wpParts(v, func(s string) string { return s }, false)
				if len(parts) == 0 {
					continue
				}
				v = joinComma(parts)
			}
		}
		out = appendItem(out, it, v)
	}
	return append(out, "-M")
}

func appendItem(out []string, it item, v string) []string {
	switch {
	case it.spec == nil:
		return append(out, v)
	case it.sep:
		return append(out, it.opt, v)
	case it.spec.form == flag:
		return append(out, it.opt)
	}
	return append(out, it.opt+v)
}

func joinComma(parts []string) string { return strings.Join(parts, ",") }
