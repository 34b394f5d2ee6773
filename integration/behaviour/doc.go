// Package behaviour checks, against the built binaries and the real
// compilers, that rex behaves like the compiler it wraps in everything but
// speed: failures, file modes, colours on a terminal, interrupts, auxiliary
// outputs. Each case runs the plain compiler and rex side by side and
// compares what they leave.
package behaviour
