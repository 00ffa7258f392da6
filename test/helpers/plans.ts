import type { StructuredPlan } from "../../src/agent/plan/schema.js";

/** A plan that passes every check, for tests to vary. */
export function validPlan(overrides: Partial<StructuredPlan> = {}): StructuredPlan {
  return {
    stepBack: {
      bottleneck: "cpu",
      evidence: "the profile shows 80% of samples in countPrimes' inner loop",
      principles: ["do less work per candidate", "avoid repeated divisions"],
    },
    chainOfThought: {
      candidates: [
        {
          name: "sieve",
          approach: "replace trial division by a sieve of Eratosthenes",
          tradeoffs: "uses O(n) memory",
          risk: "low",
          expectedGainPercent: 80,
        },
        {
          name: "odd-only",
          approach: "test odd numbers only and divide by odd divisors",
          tradeoffs: "modest gain",
          risk: "low",
          expectedGainPercent: 40,
        },
        {
          name: "wheel",
          approach: "skip multiples of 2, 3 and 5 with a wheel",
          tradeoffs: "more code",
          risk: "medium",
          expectedGainPercent: 55,
        },
      ],
      chosen: "sieve",
      why: "largest expected gain at low risk; memory is cheap at this size",
    },
    selfConsistency: { ranking: ["sieve", "wheel", "odd-only"], notes: "ranked on gain per risk" },
    preMortem: {
      failureMode: "allocating the sieve dominates for small limits",
      earlySignal: "no gain at the smallest benchmark size",
    },
    strategy: "sieve of Eratosthenes",
    summary: "count primes with a sieve instead of trial division",
    files: ["src/primes.js"],
    steps: ["rewrite countPrimes with a Uint8Array sieve over odd numbers"],
    ...overrides,
  };
}
