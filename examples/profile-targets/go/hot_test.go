package gohot

import "testing"

var sink float64

func BenchmarkWork(b *testing.B) {
	for i := 0; i < b.N; i++ {
		sink += HotFunc(2_000_000)
		sink += ColdFunc(100_000)
	}
}
