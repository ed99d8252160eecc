package backend

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

func TestAllPages(t *testing.T) {
	var calls atomic.Int32
	page := func(n int) ([]int, int, error) {
		calls.Add(1)
		var out []int
		for i := (n - 1) * 10; i < min(n*10, 35); i++ {
			out = append(out, i)
		}
		return out, 35, nil
	}
	got, err := AllPages(context.Background(), 10, page)
	if err != nil || len(got) != 35 || calls.Load() != 4 {
		t.Fatalf("got %d items in %d calls, %v", len(got), calls.Load(), err)
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d: pages out of order", i, v)
		}
	}
	boom := errors.New("boom")
	_, err = AllPages(context.Background(), 10, func(n int) ([]int, int, error) {
		if n == 3 {
			return nil, 0, boom
		}
		return page(n)
	})
	if !errors.Is(err, boom) {
		t.Errorf("a failed page: %v", err)
	}
}
