package execution

import (
	"fmt"
	"sort"
	"strings"
	"time"

	repb "github.com/bazelbuild/remote-apis/build/bazel/remote/execution/v2"

	"github.com/rexbuild/rex/workerpb"
)

// workerRec is what the scheduler knows of one worker: the platform it
// offers and when it was last heard from.
type workerRec struct {
	offers map[property]bool
	// otherSystem is the OSFamily the worker offers when that is not
	// Linux (see offersAll), else "".
	otherSystem string
	lastSeen    time.Time
	polling     int // Lease calls open now
}

// osFamily is REAPI's platform property for the system an action runs on.
const osFamily = "OSFamily"

// canRun reports whether w offers every property j requires.
func (w *workerRec) canRun(j *job) bool { return w.offersAll(j.platform) }

// offersAll reports whether w offers every property of req, and, when w
// runs on another system than Linux, whether req names it: rex on Linux
// names no system (its keys predate the property), so an action that names
// none is a Linux one, and another system's compiler at the same path
// would build another object under its key.
func (w *workerRec) offersAll(req []property) bool {
	for _, p := range req {
		if !w.offers[p] {
			return false
		}
	}
	return w.otherSystem == "" || namesSystem(req)
}

// seeWorkerLocked records that worker id asked for work offering props.
func (s *Scheduler) seeWorkerLocked(id string, props []*workerpb.Property, now time.Time) *workerRec {
	w := s.workers[id]
	if w == nil {
		w = &workerRec{}
		s.workers[id] = w
	}
	w.offers = make(map[property]bool, len(props))
	w.otherSystem = ""
	for _, p := range props {
		w.offers[property{p.GetName(), p.GetValue()}] = true
		if p.GetName() == osFamily && !strings.EqualFold(p.GetValue(), "linux") {
			w.otherSystem = p.GetValue()
		}
	}
	w.lastSeen = now
	return w
}

func (s *Scheduler) aliveLocked(w *workerRec, now time.Time) bool {
	return w.polling > 0 || now.Sub(w.lastSeen) < s.opts.WorkerExpiry
}

// unrunnableLocked explains why no worker can run an action needing req,
// or returns "" when one can, or when none is known yet and the grace
// period after start has not run out (workers may still be connecting).
func (s *Scheduler) unrunnableLocked(req []property, now time.Time) string {
	var alive []*workerRec
	for _, w := range s.workers {
		if !s.aliveLocked(w, now) {
			continue
		}
		if w.offersAll(req) {
			return ""
		}
		alive = append(alive, w)
	}
	if len(alive) == 0 {
		if now.Sub(s.start) < s.opts.WorkerGrace {
			return ""
		}
		return fmt.Sprintf("no worker is connected to run an action with platform {%s}", formatProps(req))
	}
	offered := make([]string, 0, 4)
	for i, w := range alive {
		if i == 4 {
			offered = append(offered, "...")
			break
		}
		offered = append(offered, "{"+formatOffers(w.offers)+"}")
	}
	why := ""
	if !namesSystem(req) {
		why = " (an action that names no OSFamily runs only on a worker that names Linux or none)"
	}
	return fmt.Sprintf("no worker offers platform {%s}%s; %d connected worker(s) offer %s",
		formatProps(req), why, len(alive), strings.Join(offered, " "))
}

// namesSystem reports whether req names the system it runs on.
func namesSystem(req []property) bool {
	for _, p := range req {
		if p.name == osFamily {
			return true
		}
	}
	return false
}

// platformOf returns the properties an action requires: the Action's
// platform, or the Command's for clients older than REAPI v2.2.
func platformOf(a *repb.Action, c *repb.Command) []property {
	p := a.GetPlatform()
	if len(p.GetProperties()) == 0 {
		p = c.GetPlatform()
	}
	var out []property
	for _, x := range p.GetProperties() {
		out = append(out, property{x.GetName(), x.GetValue()})
	}
	return out
}

func formatProps(ps []property) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.name + "=" + p.value
	}
	return strings.Join(parts, ", ")
}

func formatOffers(m map[property]bool) string {
	ps := make([]property, 0, len(m))
	for p := range m {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, k int) bool {
		if ps[i].name != ps[k].name {
			return ps[i].name < ps[k].name
		}
		return ps[i].value < ps[k].value
	})
	return formatProps(ps)
}
