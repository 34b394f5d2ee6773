package osfamily

import (
	"runtime"
	"testing"
)

// The system is named on every system but Linux, and never over the
// user's own value.
func TestWith(t *testing.T) {
	want := map[string]string{"linux": "", "darwin": "macos", "freebsd": "freebsd"}[runtime.GOOS]
	got := With(nil)[Key]
	if got != want {
		t.Errorf("With(nil)[%s] = %q, want %q", Key, got, want)
	}
	if runtime.GOOS == "linux" && With(nil) != nil {
		t.Error("Linux adds a property")
	}
	props := With(map[string]string{Key: "mine", "Pool": "x"})
	if props[Key] != "mine" || props["Pool"] != "x" || len(props) != 2 {
		t.Errorf("With changed the user's properties: %v", props)
	}
}
