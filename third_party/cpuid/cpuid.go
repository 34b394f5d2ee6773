// Package cpuid stands in for github.com/klauspost/cpuid/v2 in rex's build
// (go.mod replaces it): BLAKE3 (github.com/zeebo/blake3) asks it two
// questions, whether the CPU has AVX2 and SSE4.1, and the real package
// answers them by probing every feature at start-up, about 80 CPUID
// instructions that trap under a hypervisor: a third of a millisecond of
// every rex-client start. golang.org/x/sys/cpu answers the two (operating
// system support of the AVX state included) with a handful.
package cpuid

import "golang.org/x/sys/cpu"

// FeatureID names a CPU feature.
type FeatureID int

// The features asked about.
const (
	UNKNOWN FeatureID = iota
	SSE4              // SSE4.1
	AVX2
)

// CPUInfo answers feature questions about the CPU rex runs on.
type CPUInfo struct{}

// CPU is the CPU rex runs on.
var CPU CPUInfo

// Has reports whether the CPU (and the operating system) support id.
func (CPUInfo) Has(id FeatureID) bool {
	switch id {
	case SSE4:
		return cpu.X86.HasSSE41
	case AVX2:
		return cpu.X86.HasAVX2
	}
	return false
}
