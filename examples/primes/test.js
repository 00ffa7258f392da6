// Regression test: known prime counts (OEIS A000720 at powers of ten).
import assert from "node:assert/strict";
import { countPrimes } from "./primes.js";

assert.equal(countPrimes(2), 0);
assert.equal(countPrimes(3), 1);
assert.equal(countPrimes(10), 4);
assert.equal(countPrimes(100), 25);
assert.equal(countPrimes(1000), 168);
assert.equal(countPrimes(100000), 9592);
console.log("primes: all tests passed");
