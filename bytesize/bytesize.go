// Package bytesize reads the sizes the commands' flags take (plain bytes or
// a number with a binary unit, as in --max-size 10GiB) and writes sizes for
// a person.
package bytesize

import (
	"fmt"
	"strconv"
	"strings"
)

// Parse reads plain bytes or a number with a KiB/MiB/GiB/TiB suffix
// (KB/MB/GB/TB and K/M/G/T mean the same binary units). "" is 0: unbounded.
func Parse(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	units := []struct {
		suffixes []string
		mult     int64
	}{
		{[]string{"TiB", "TB", "T"}, 1 << 40},
		{[]string{"GiB", "GB", "G"}, 1 << 30},
		{[]string{"MiB", "MB", "M"}, 1 << 20},
		{[]string{"KiB", "KB", "K"}, 1 << 10},
		{[]string{"B", ""}, 1},
	}
	for _, u := range units {
		for _, suf := range u.suffixes {
			num, ok := strings.CutSuffix(s, suf)
			if !ok {
				continue
			}
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad size %q", s)
			}
			if n > (1<<63-1)/u.mult {
				return 0, fmt.Errorf("size %q too large", s)
			}
			return n * u.mult, nil
		}
	}
	return 0, fmt.Errorf("bad size %q", s)
}

// Format writes n for a person: bytes, or KiB/MiB/GiB with one decimal.
func Format(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
