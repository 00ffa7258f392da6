import { defineConfig } from "vitest/config";

// .ci/run sets VITEST_JSON_OUTPUT to derive its "N passed, N failed" line from vitest's JSON report.
const jsonOutput = process.env.VITEST_JSON_OUTPUT;

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: jsonOutput ? ["default", ["json", { outputFile: jsonOutput }]] : ["default"],
  },
});
