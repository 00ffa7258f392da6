import { MEMO_SIZE, PARITY } from "./config.js";

// The start below `limit` with the longest Collatz chain, and that chain's length (in steps).
// Chain lengths of small starts are remembered in a table of MEMO_SIZE entries; a chain stops
// as soon as it reaches a remembered value.
export function longestChain(limit) {
  const size = Math.min(MEMO_SIZE, limit);
  const bitmask = PARITY === "bitmask";
  const memo = new Int32Array(Math.max(size, 2));
  memo[1] = 0;
  let best = 1;
  let bestLength = 0;
  for (let start = 2; start < limit; start++) {
    let n = start;
    let steps = 0;
    while (n !== 1 && (n >= size || (memo[n] === 0 && n !== 1))) {
      const even = bitmask ? (n & 1) === 0 : n % 2 === 0;
      n = even ? n / 2 : 3 * n + 1;
      steps++;
    }
    const length = steps + (n === 1 ? 0 : memo[n]);
    if (start < size) memo[start] = length;
    if (length > bestLength) {
      best = start;
      bestLength = length;
    }
  }
  return { start: best, length: bestLength };
}
