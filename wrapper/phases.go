package wrapper

import (
	"fmt"
	"strings"
	"time"
)

// phases times the steps of one invocation, for --verbose: where a
// compile's time goes is the first thing to know about its cost.
type phases struct {
	last  time.Time
	marks []string
}

func newPhases() *phases { return &phases{last: time.Now()} }

// mark ends the current step, naming it.
func (p *phases) mark(name string) {
	if p == nil {
		return
	}
	now := time.Now()
	p.marks = append(p.marks, fmt.Sprintf("%s %.1fms", name, float64(now.Sub(p.last).Microseconds())/1000))
	p.last = now
}

func (p *phases) String() string {
	if p == nil {
		return ""
	}
	return strings.Join(p.marks, ", ")
}
