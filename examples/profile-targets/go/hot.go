package gohot

import "math"

func HotFunc(n int) float64 {
	s := 0.0
	for i := 1; i < n; i++ {
		s += math.Sqrt(float64(i)) / (float64(i) + s*1e-12)
	}
	return s
}

func ColdFunc(n int) float64 {
	s := 0.0
	for i := 1; i < n; i++ {
		s += 1.0 / float64(i)
	}
	return s
}
