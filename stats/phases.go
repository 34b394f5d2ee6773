package stats

import (
	"fmt"
	"strings"
	"time"
)

// Phases times the steps of one invocation, for --verbose: where a
// compile's time goes is the first thing to know about its cost.
type Phases struct {
	last  time.Time
	marks []string
}

// NewPhases starts timing at now.
func NewPhases() *Phases { return &Phases{last: time.Now()} }

// Mark ends the current step, naming it.
func (p *Phases) Mark(name string) {
	if p == nil {
		return
	}
	now := time.Now()
	p.marks = append(p.marks, fmt.Sprintf("%s %.1fms", name, float64(now.Sub(p.last).Microseconds())/1000))
	p.last = now
}

func (p *Phases) String() string {
	if p == nil {
		return ""
	}
	return strings.Join(p.marks, ", ")
}
