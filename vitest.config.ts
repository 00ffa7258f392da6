import { defineConfig } from "vitest/config";

// .ci/run sets VITEST_JSON_OUTPUT to derive its "N passed, N failed" line from vitest's JSON report.
const jsonOutput = process.env.VITEST_JSON_OUTPUT;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    // Two files at a time: most tests wait on child processes (git, node, benchmarks), so on the
    // 2-core machine the suite takes ~5 min instead of ~9 serially; the timing tests decide from
    // interleaved rounds and passed under far heavier load (load average 6–9).
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
  },
});
