package lru

import "testing"

func TestBoundAndRecency(t *testing.T) {
	c := New[string, int](10)
	c.Add("a", 1, 4)
	c.Add("b", 2, 4)
	if _, ok := c.Get("a"); !ok { // a is now the most recent
		t.Fatal("a is gone")
	}
	c.Add("a", 9, 4) // already there: kept as it was
	c.Add("c", 3, 4) // 12 bytes: b, the least recent, goes
	if _, ok := c.Get("b"); ok {
		t.Error("b outlived the bound")
	}
	if v, ok := c.Get("a"); !ok || v != 1 {
		t.Errorf("a = %d, %v", v, ok)
	}
	if v, ok := c.Get("c"); !ok || v != 3 {
		t.Errorf("c = %d, %v", v, ok)
	}
	c.Add("big", 0, 11) // larger than the bound: nothing stays
	if _, ok := c.Get("c"); ok {
		t.Error("c outlived a value past the bound")
	}
}
