package main

import (
	"errors"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/rexbuild/rex/stats"
	"github.com/rexbuild/rex/wrapper"
)

func TestVerifyRate(t *testing.T) {
	for _, c := range []struct {
		name    string
		env     map[string]string
		args    []string
		want    float64
		wantErr bool
	}{
		{name: "off by default"},
		{name: "REX_VERIFY", env: map[string]string{"REX_VERIFY": "1"}, want: 1},
		{name: "REX_VERIFY_RATE", env: map[string]string{"REX_VERIFY_RATE": "0.01"}, want: 0.01},
		{name: "--verify wins over a rate", env: map[string]string{"REX_VERIFY_RATE": "0.5"}, args: []string{"--verify"}, want: 1},
		{name: "flag over environment", env: map[string]string{"REX_VERIFY_RATE": "0.5"}, args: []string{"--verify-rate", "0.25"}, want: 0.25},
		{name: "not a share", args: []string{"--verify-rate", "2"}, wantErr: true},
		{name: "negative", env: map[string]string{"REX_VERIFY_RATE": "-0.1"}, wantErr: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("REX_VERIFY", "")
			t.Setenv("REX_VERIFY_RATE", "")
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			var got float64
			var err error
			app := &cli.App{Flags: flags(), Action: func(ctx *cli.Context) error {
				got, err = verifyRate(ctx)
				return nil
			}}
			if runErr := app.Run(append([]string{"rex"}, c.args...)); runErr != nil {
				t.Fatal(runErr)
			}
			if (err != nil) != c.wantErr || got != c.want {
				t.Errorf("rate %v, err %v; want %v, error %v", got, err, c.want, c.wantErr)
			}
		})
	}
}

func TestVerdictAndDescription(t *testing.T) {
	hit := wrapper.Result{Outcome: stats.CacheHit, Action: "ab/12", Phases: "scan 1.0ms"}
	if v := verdict(hit); v != stats.NotVerified {
		t.Errorf("unverified hit: verdict %v", v)
	}
	hit.Verified = true
	if v := verdict(hit); v != stats.Verified {
		t.Errorf("verified hit: verdict %v", v)
	}
	if got, want := describe(hit), "cache hit, verified locally (action ab/12; scan 1.0ms)"; got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	hit.Mismatch = "hello.o: remote 3 bytes, local 4 bytes, first difference at byte 3"
	if v := verdict(hit); v != stats.Mismatch {
		t.Errorf("mismatched hit: verdict %v", v)
	}
	miss := wrapper.Result{Outcome: stats.CacheMiss, Reason: errors.New("inputs changed")}
	if got := describe(miss); got != "cache miss, compiled locally: inputs changed" {
		t.Errorf("describe = %q", got)
	}
}
