package monitor

import (
	"sync"

	"github.com/rexbuild/rex/execution"
)

// recentKept is how many finished actions the status page lists.
const recentKept = 50

// recentActions is a ring of the last finished actions.
type recentActions struct {
	mu   sync.Mutex
	ring []execution.Finished
	next int
	full bool
}

func newRecentActions(n int) *recentActions {
	return &recentActions{ring: make([]execution.Finished, n)}
}

func (r *recentActions) add(f execution.Finished) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[r.next] = f
	r.next = (r.next + 1) % len(r.ring)
	r.full = r.full || r.next == 0
}

// list returns the kept actions, latest first.
func (r *recentActions) list() []execution.Finished {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.ring)
	}
	out := make([]execution.Finished, 0, n)
	for i := 1; i <= n; i++ {
		out = append(out, r.ring[(r.next-i+len(r.ring))%len(r.ring)])
	}
	return out
}
