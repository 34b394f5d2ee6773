package bytesize

import "testing"

func TestParse(t *testing.T) {
	for in, want := range map[string]int64{
		"": 0, "0": 0, "1234": 1234, "10B": 10, "2KiB": 2048, "3MiB": 3 << 20,
		"1GiB": 1 << 30, "5G": 5 << 30, "7 MB": 7 << 20, "1TiB": 1 << 40,
	} {
		if got, err := Parse(in); err != nil || got != want {
			t.Errorf("Parse(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"x", "-1", "1.5GiB", "GiB", "99999999999TiB"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}
