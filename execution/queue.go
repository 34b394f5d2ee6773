package execution

// queue holds the jobs waiting for a worker. Workers differ in what they
// offer, so a lease scans for the best job the worker can run: lowest
// priority value first (the REAPI meaning: lower runs sooner), then lowest
// sequence number (FIFO). Queues stay short enough that a scan is cheap.
type queue struct {
	jobs  []*job
	next  int64 // sequence for jobs pushed at the back
	front int64 // sequence for jobs pushed at the front (negative)
}

// push appends j behind the jobs of its priority.
func (q *queue) push(j *job) {
	q.next++
	j.seq = q.next
	q.jobs = append(q.jobs, j)
}

// pushFront puts j ahead of the jobs of its priority, for a requeued job.
func (q *queue) pushFront(j *job) {
	q.front--
	j.seq = q.front
	q.jobs = append(q.jobs, j)
}

// take removes and returns the best job that ok accepts, or nil.
func (q *queue) take(ok func(*job) bool) *job {
	best := -1
	for i, j := range q.jobs {
		if !ok(j) {
			continue
		}
		if best < 0 || before(j, q.jobs[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	j := q.jobs[best]
	q.jobs = append(q.jobs[:best], q.jobs[best+1:]...)
	return j
}

// remove drops j if it is queued.
func (q *queue) remove(j *job) {
	for i, x := range q.jobs {
		if x == j {
			q.jobs = append(q.jobs[:i], q.jobs[i+1:]...)
			return
		}
	}
}

func before(a, b *job) bool {
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	return a.seq < b.seq
}
