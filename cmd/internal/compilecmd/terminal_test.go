package compilecmd

import (
	"os"
	"testing"
)

// TestIsTerminal: /dev/null is a character device but no terminal (a
// build that sends stderr there must not get colours asked for).
func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	for _, tt := range []struct {
		name string
		f    func(*testing.T) *os.File
		want bool
	}{
		{"/dev/null", func(*testing.T) *os.File { return null }, false},
		{"a pipe", func(*testing.T) *os.File { return w }, false},
		{"a pty", openPty, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsTerminal(tt.f(t)); got != tt.want {
				t.Errorf("IsTerminal(%s) = %v, want %v", tt.name, got, tt.want)
			}
		})
	}
}
