package lookups

import (
	"fmt"
	"testing"
)

// A kernel TU's scan tells some 1,500 lookups: 600 headers found, 900
// places searched in vain, the dependency file and the output written.
func BenchmarkParseKernelScan(b *testing.B) {
	var log []byte
	log = append(log, "co+rarch/x86/kernel/head64.c\x00"...)
	for i := range 900 {
		log = fmt.Appendf(log, "co-r./arch/x86/include/linux/header%d.h\x00", i)
	}
	for i := range 600 {
		log = fmt.Appendf(log, "co+r./include/linux/header%d.h\x00", i)
	}
	log = append(log, "co+w/dev/null\x00co+warch/x86/kernel/.head64.o.d\x00"...)
	b.SetBytes(int64(len(log)))
	for b.Loop() {
		l, err := Parse(log, "/src/linux", "/src/linux/arch/x86/kernel/head64.c")
		if err != nil || len(l.Found) != 601 || len(l.Missing) != 900 {
			b.Fatalf("%d found, %d missing, %v", len(l.Found), len(l.Missing), err)
		}
	}
}
