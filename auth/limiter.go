package auth

import (
	"sync"
	"time"
)

// Refusals are logged at most logBurst per logWindow: a client hammering
// the server with a bad token must not fill the disk with one line per
// call. The count of lines left out is logged when the next window opens.
const (
	logBurst  = 20
	logWindow = time.Minute
)

type limiter struct {
	out     func(format string, args ...any)
	mu      sync.Mutex
	start   time.Time
	n       int
	dropped int
}

func newLimiter(out func(string, ...any)) *limiter { return &limiter{out: out} }

func (l *limiter) logf(format string, args ...any) {
	if l.out == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if now := time.Now(); now.Sub(l.start) >= logWindow {
		if l.dropped > 0 {
			l.out("rex-server: %d more refusals were not logged in the last %v", l.dropped, logWindow)
		}
		l.start, l.n, l.dropped = now, 0, 0
	}
	if l.n >= logBurst {
		l.dropped++
		return
	}
	l.n++
	l.out(format, args...)
}
