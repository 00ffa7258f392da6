// Benchmark: one warm-up call, then the median of 5 timed calls, printed as `collatz_ms: <value> ms`.
import { longestChain } from "../src/collatz.js";

const LIMIT = 100000;
longestChain(LIMIT);
const times = [];
for (let i = 0; i < 5; i++) {
  const start = performance.now();
  longestChain(LIMIT);
  times.push(performance.now() - start);
}
times.sort((a, b) => a - b);
console.log(`collatz_ms: ${times[2].toFixed(3)} ms`);
