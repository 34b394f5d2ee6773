package lookups

import (
	"reflect"
	"testing"
)

// A worker's log becomes paths relative to the input root (climbing out of
// it where the compiler did), absolute outside it; files read in the root
// are keyed, and left out.
func TestAccountRoundTrip(t *testing.T) {
	log := "co+ra.c\x00" + "cs-r../../up.h\x00" + "co-rx.h\x00" + "co+r/usr/include/stdio.h\x00" +
		"co+r/act/root/inc/b.h\x00" + "co+wa.o\x00" + "co-ra.o\x00" + "c?-rgone\x00"
	a, err := AccountOf([]byte(log), "/act/root/src", "/act/root")
	if err != nil {
		t.Fatal(err)
	}
	want := Account{Found: []string{"/usr/include/stdio.h"}, Missing: []string{"../up.h", "src/x.h"}, Unresolved: 1}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("account %+v, want %+v", a, want)
	}
}

// clang's driver preprocesses in its own process: its lookups count from
// its opening of the source, the first file of the input root it reads,
// but for the places it looked for in vain before that.
func TestAccountOfClangDriver(t *testing.T) {
	log := "do+r/usr/lib/llvm/clang.cfg\x00" + "ds-r/usr/lib/gcc/x86_64-linux-gnu/99\x00" + "do+ra.c\x00" +
		"do+r/usr/include/stdio.h\x00" + "do-rinc/x.h\x00"
	a, err := AccountOf([]byte(log), "/act/root", "/act/root")
	if err != nil {
		t.Fatal(err)
	}
	want := Account{Found: []string{"/usr/include/stdio.h"}, Missing: []string{"/usr/lib/gcc/x86_64-linux-gnu/99", "inc/x.h"}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("account %+v, want %+v", a, want)
	}
}
