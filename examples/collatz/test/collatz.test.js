// Regression test: known longest Collatz chains (Project Euler 14, OEIS A006877).
import assert from "node:assert/strict";
import { longestChain } from "../src/collatz.js";

assert.deepEqual(longestChain(10), { start: 9, length: 19 });
assert.deepEqual(longestChain(100), { start: 97, length: 118 });
assert.deepEqual(longestChain(1000), { start: 871, length: 178 });
assert.deepEqual(longestChain(100000), { start: 77031, length: 350 });
console.log("collatz: all tests passed");
