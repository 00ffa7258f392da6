// Counts the primes below a limit with a sieve of Eratosthenes over odd numbers.
export function countPrimes(limit) {
  if (limit <= 2) return 0;
  const composite = new Uint8Array(limit);
  let count = 1;
  for (let n = 3; n < limit; n += 2) {
    if (composite[n]) continue;
    count++;
    for (let m = n * n; m < limit; m += 2 * n) composite[m] = 1;
  }
  return count;
}
