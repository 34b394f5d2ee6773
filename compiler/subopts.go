package compiler

import "strings"

// wp checks the items of -Wp,ITEM,ITEM: preprocessor options passed past the
// driver. Only defines and dependency-file options are understood.
func (st *state) wp(value string) {
	parts := strings.Split(value, ",")
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch {
		case p == "-MD" || p == "-MMD" || p == "-MF" || p == "-MT" || p == "-MQ":
			if i+1 >= len(parts) || parts[i+1] == "" {
				st.local("missing argument in -Wp," + value)
				return
			}
			i++
			st.wpMMD = st.wpMMD || p == "-MMD"
			if p == "-MT" || p == "-MQ" {
				st.targets = true
			} else if st.wpDepFile != "" {
				st.local("several dependency files in -Wp")
			} else {
				st.wpDepFile = parts[i]
			}
		case p == "-MP":
		case len(p) > 2 && (strings.HasPrefix(p, "-D") || strings.HasPrefix(p, "-U")):
			st.checkDefine(p)
		default:
			st.local("unsupported -Wp," + value)
			return
		}
	}
}

// wpParts returns the items of a -Wp value with the files after -MD, -MMD
// and -MF passed through rewrite, and without dependency options at all
// when deps is false.
func wpParts(value string, rewrite func(string) string, deps bool) []string {
	parts := strings.Split(value, ",")
	var out []string
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		switch p {
		case "-MD", "-MMD", "-MF", "-MT", "-MQ":
			if i+1 < len(parts) {
				i++
				if deps {
					v := parts[i]
					if p != "-MT" && p != "-MQ" {
						v = rewrite(v)
					}
					out = append(out, p, v)
				}
			}
			continue
		case "-MP":
			if !deps {
				continue
			}
		}
		out = append(out, p)
	}
	return out
}

// checkWa accepts assembler options that change no file names.
func (st *state) checkWa(value string) {
	st.checkAssembler(strings.Split(value, ","), "-Wa,"+value)
}

// checkAssembler accepts the assembler options of -Wa and -Xassembler that
// name no file: -I, --MD, -a=FILE or @FILE would read or write one.
func (st *state) checkAssembler(opts []string, written string) {
	for _, p := range opts {
		switch {
		case p == "--noexecstack", p == "--64", p == "--32",
			strings.HasPrefix(p, "--compress-debug-sections"), p == "--nocompress-debug-sections",
			strings.HasPrefix(p, "-mrelax-relocations="),
			// Code layout and warnings: no file, no path.
			p == "-mbranches-within-32B-boundaries", strings.HasPrefix(p, "-malign-branch"),
			strings.HasPrefix(p, "-mx86-used-note="), p == "--fatal-warnings", p == "--warn",
			strings.HasPrefix(p, "-mtune="), strings.HasPrefix(p, "-march=") && !strings.Contains(p, "native"),
			p == "--no-warn", p == "-W":
		default:
			st.local("unsupported " + written)
			return
		}
	}
}

// checkXclang accepts the clang frontend options that only touch
// diagnostics; anything else may name files or change outputs.
func (st *state) checkXclang(value string) {
	switch {
	case value == "-fcolor-diagnostics", value == "-fno-color-diagnostics",
		strings.HasPrefix(value, "-fdiagnostics-"),
		strings.HasPrefix(value, "-W") && !strings.Contains(value, ","):
	default:
		st.local("unsupported -Xclang " + value)
	}
}
