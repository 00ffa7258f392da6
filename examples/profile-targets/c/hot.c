#include <stdio.h>
#include <stdlib.h>

/* The planted hot spot: a dependent floating-point chain the compiler cannot vectorize. */
__attribute__((noinline)) double hot_loop(int n) {
  double s = 0;
  for (int i = 1; i < n; i++) s += 1.0 / ((double)i * i + s * 1e-9);
  return s;
}

__attribute__((noinline)) double cold(int n) {
  double s = 0;
  for (int i = 1; i < n; i++) s += 1.0 / i;
  return s;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 20;
  double r = 0;
  for (int k = 0; k < reps; k++) {
    /* Arguments vary per call: gcc would otherwise compute these pure functions only once. */
    r += hot_loop(10000000 + k);
    r += cold(500000 + k);
  }
  printf("%f\n", r);
  return 0;
}
