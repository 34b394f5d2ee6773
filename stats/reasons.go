package stats

import "strings"

// categories name the common reasons by a phrase their text contains, so
// that a reason carrying a path, a digest or a server's message still
// counts under one name. The first match wins.
var categories = []struct{ contains, category string }{
	{"refused rex's credentials", "authentication refused"},
	{"unreachable", "server unreachable"},
	{"connection refused", "server unreachable"},
	{"code = Unavailable", "server unavailable"},
	{"code = DeadlineExceeded", "deadline exceeded"},
	{"code = ResourceExhausted", "server out of resources"},
	{"code = FailedPrecondition", "server refused the action"},
	{"code = InvalidArgument", "server refused the action"},
	{"code = NotFound", "missing blob"},
	{"in a way rex or the worker may have caused", "remote fault"},
	{"remote command failed", "remote fault"},
	{"fill the remote cache", "cache fill failed"},
	{"inputs changed during the compile", "inputs changed"},
	{"coverage instrumentation", "coverage"},
	{"not a compile (no -c)", "link (no -c)"},
	{"dependency scan: ", "dependency scan failed"},
}

// Category is the short name under which a reason is counted: one of the
// names above, else the reason's first clause without paths (an unknown
// option keeps its name: "unknown option -fplugin=x" counts as itself).
func Category(reason string) string {
	for _, c := range categories {
		if strings.Contains(reason, c.contains) {
			return c.category
		}
	}
	r := strings.TrimPrefix(reason, "not remotable: ")
	// A reason about one file names it first ("/x/core.h: __has_include(x):
	// ..."): the file is no category, what it does is.
	for {
		head, rest, ok := strings.Cut(r, ": ")
		if !ok || strings.ContainsRune(head, ' ') || !strings.ContainsRune(head, '/') {
			break
		}
		r = rest
	}
	if head, _, ok := strings.Cut(r, ": "); ok {
		r = head
	}
	var words []string
	for _, w := range strings.Fields(r) {
		if strings.ContainsRune(w, '/') {
			w = "..."
		}
		if len(words) > 0 && w == "..." && words[len(words)-1] == "..." {
			continue
		}
		words = append(words, w)
	}
	r = strings.Join(words, " ")
	if len(r) > 60 {
		r = r[:60] + "..."
	}
	if r == "" {
		return "other"
	}
	return r
}
