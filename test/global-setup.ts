import { execFileSync } from "node:child_process";

/** End-to-end tests run the built binary: build it once before any test. */
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.build.json"], { stdio: "inherit" });
}
