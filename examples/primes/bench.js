// Benchmark: one warm-up call, then times REPEAT calls in-process and prints the median as a
// `name: value unit` line, which auto-optimize reads as the metric `count_primes`.
import { countPrimes } from "./primes.js";

const LIMIT = Number(process.env.PRIMES_LIMIT ?? 300000);
const REPEAT = 5;

countPrimes(LIMIT);
const times = [];
for (let i = 0; i < REPEAT; i++) {
  const start = performance.now();
  countPrimes(LIMIT);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`count_primes: ${times[Math.floor(REPEAT / 2)].toFixed(3)} ms`);
