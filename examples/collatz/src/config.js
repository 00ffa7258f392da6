// Tuning knobs of the Collatz search. auto-optimize's demo lets its tuner change them.

// How the inner loop tests whether n is even: "modulo" (n % 2 === 0) or "bitmask" ((n & 1) === 0).
// Every n stays below 2^31 for starts under 100000, so both are exact.
export const PARITY = "bitmask";

// How many chain lengths to remember (for starting values below this size).
export const MEMO_SIZE = 16;
