package accountmeta

import (
	"bytes"
	"compress/flate"
	"fmt"
	"reflect"
	"testing"

	"google.golang.org/protobuf/types/known/anypb"

	"github.com/rexbuild/rex/lookups"
)

// An account survives its trip through auxiliary metadata, among other
// metadata; none is no account and no error.
func TestRoundTrip(t *testing.T) {
	want := lookups.Account{Found: []string{"/usr/include/stdio.h"}, Missing: []string{"../up.h", "src/x.h"}, Unresolved: 2}
	got, ok, err := Find([]*anypb.Any{{TypeUrl: "type.googleapis.com/other", Value: []byte("x")}, Any(want)})
	if err != nil || !ok || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %+v (ok %v, %v), want %+v", got, ok, err, want)
	}
	if _, ok, err := Find(nil); ok || err != nil {
		t.Errorf("no metadata: ok %v, %v", ok, err)
	}
}

// A malformed account is an error, never an empty account.
func TestMalformed(t *testing.T) {
	deflated := func(raw string) []byte {
		var b bytes.Buffer
		w, _ := flate.NewWriter(&b, flate.DefaultCompression)
		w.Write([]byte(raw))
		w.Close()
		return b.Bytes()
	}
	for _, v := range [][]byte{[]byte("not deflate"), deflated("xpath\x00"), deflated("fpath"), deflated("\x00"),
		deflated("u-1\x00"), deflated("unine\x00"), deflated("f\x00")} {
		if _, _, err := Find([]*anypb.Any{{TypeUrl: Type, Value: v}}); err == nil {
			t.Errorf("%q: no error", v)
		}
	}
	if _, _, err := Find([]*anypb.Any{Any(lookups.Account{}), Any(lookups.Account{})}); err == nil {
		t.Error("two accounts: no error")
	}
}

// A kernel compile's account: some 1,000 paths looked for in vain.
func kernelLikeAccount() lookups.Account {
	var a lookups.Account
	for i := range 1000 {
		a.Missing = append(a.Missing, fmt.Sprintf("arch/x86/include/generated/uapi/linux/header-%d.h", i))
	}
	return a
}

func BenchmarkAny(b *testing.B) {
	a := kernelLikeAccount()
	for b.Loop() {
		Any(a)
	}
	b.ReportMetric(float64(len(Any(a).GetValue())), "bytes")
}

func BenchmarkFind(b *testing.B) {
	md := []*anypb.Any{Any(kernelLikeAccount())}
	for b.Loop() {
		Find(md)
	}
}
