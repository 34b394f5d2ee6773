// Package doctor checks rex's configuration end to end (the server, its
// capabilities, the instance name, credentials, platform properties, and a
// probe compile run remotely and locally whose objects must match) and
// says what is wrong in words a user can act on.
package doctor

import (
	"context"
	"fmt"
	"time"

	"github.com/rexbuild/rex/client"
	"github.com/rexbuild/rex/wrapper"
)

// Severity says how much a finding matters.
type Severity int

const (
	OK Severity = iota
	Warning
	Problem
)

func (s Severity) String() string {
	return [...]string{"ok", "warning", "problem"}[s]
}

// Finding is the result of one check.
type Finding struct {
	Severity Severity `json:"-"`
	Level    string   `json:"level"`
	Check    string   `json:"check"`
	Says     string   `json:"says"`
	// Fix says what to do about a warning or a problem.
	Fix string `json:"fix,omitempty"`
}

// Options say what to check with.
type Options struct {
	// Compiler compiles the probe (gcc when empty).
	Compiler string
	// Env is the environment the probe compiles in (os.Environ()).
	Env []string
	// Timeout bounds each remote call (10 s when zero).
	Timeout time.Duration
}

// report collects findings.
type report struct{ findings []Finding }

func (r *report) add(sev Severity, check, says, fix string) {
	r.findings = append(r.findings, Finding{Severity: sev, Level: sev.String(), Check: check, Says: says, Fix: fix})
}

// Run checks cfg and returns what it found, in order. The probe compile
// runs only when the server answered.
func Run(ctx context.Context, cfg wrapper.Config, opts Options) []Finding {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.Compiler == "" {
		opts.Compiler = "gcc"
	}
	r := &report{}
	r.relay(cfg.Client)
	ccfg := cfg.Client
	ccfg.MaxAttempts, ccfg.RPCTimeout = 1, opts.Timeout
	c, err := client.Dial(ctx, ccfg)
	if err != nil {
		r.add(Problem, "configuration", err.Error(), "check REX_SERVER and the TLS settings")
		return r.findings
	}
	defer c.Close()
	caps, ok := r.reach(ctx, c, cfg)
	if !ok {
		return r.findings
	}
	r.capabilities(caps, cfg)
	r.probe(ctx, cfg, opts)
	return r.findings
}

// Failed says whether any finding is a problem.
func Failed(fs []Finding) bool {
	for _, f := range fs {
		if f.Severity == Problem {
			return true
		}
	}
	return false
}

func instanceText(name string) string {
	if name == "" {
		return `"" (none)`
	}
	return fmt.Sprintf("%q", name)
}
