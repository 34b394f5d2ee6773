package depscan

// sweepChunk is how much of the output the searches read before they move
// on together: a kernel TU's 3 MB of -E, read from memory once per search
// (its markers, "%:", "??=" and pop_macro), cost 2.5 ms per scan; each
// stretch is read from memory once, and again from the CPU's cache.
const sweepChunk = 64 << 10

// readOutputFacts returns the files the output's markers enter and whether
// it holds a directive that directives-only mode passed on unread (see
// markers and unreadDirective), reading it a chunk at a time.
func readOutputFacts(out []byte, chunk int) (files []string, unread bool) {
	m := markerReader{seen: map[string]bool{}}
	var u unreadReader
	for lo := 0; lo < len(out); lo += chunk {
		hi := min(lo+chunk, len(out))
		m.upTo(out, hi)
		u.upTo(out, hi)
	}
	return m.files, u.found
}
