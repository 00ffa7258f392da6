// The planted hot spot, in C++: planted::hot_loop does about 95% of the work.
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace planted {
__attribute__((noinline)) double hot_loop(const std::vector<double>& v, int k) {
  double s = 0;
  for (double x : v) s += x * k / (s + 1.0);
  return s;
}

__attribute__((noinline)) double cold(const std::vector<double>& v, int k) {
  double s = 0;
  for (std::size_t i = 0; i < v.size(); i += 16) s += v[i] + k;
  return s;
}
}  // namespace planted

int main(int argc, char** argv) {
  int reps = argc > 1 ? std::atoi(argv[1]) : 20;
  std::vector<double> v(2000000, 1.5);
  double t = 0;
  for (int k = 0; k < reps; k++) t += planted::hot_loop(v, k) + planted::cold(v, k);
  std::printf("%f\n", t);
  return 0;
}
