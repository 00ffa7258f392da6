// Tuning knobs of the Collatz search. auto-optimize's demo lets its tuner change them.

// How many chain lengths to remember (for starting values below this size).
export const MEMO_SIZE = 16;
