#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { AutoOptimizeError } from "../errors.js";
import { registerBaseline } from "./baseline.js";
import { registerBench } from "./bench.js";
import { registerCompare } from "./compare.js";
import { registerDemo } from "./demo.js";
import { registerDisasm } from "./disasm.js";
import { registerInit } from "./init.js";
import { registerMcp } from "./mcp.js";
import { registerProfile } from "./profile.js";
import { registerReport } from "./report.js";
import { registerRun } from "./run.js";
import { registerStatus } from "./status.js";
import { registerStep } from "./step.js";
import { registerWorker } from "./worker.js";

const { version } = JSON.parse(
  readFileSync(new URL("../../package.json", import.meta.url), "utf8"),
) as { version: string };

const program = new Command()
  .name("auto-optimize")
  .description(
    "Autoresearch for performance engineering: measure, decide with statistics, record in git.",
  )
  .version(version)
  .exitOverride()
  .showHelpAfterError();
registerDemo(program);
registerCompare(program);
registerBench(program);
registerStatus(program);
registerReport(program);
registerInit(program);
registerBaseline(program);
registerRun(program);
registerStep(program);
registerMcp(program);
registerProfile(program);
registerDisasm(program);
registerWorker(program);

// The one place errors become output: bad input exits 2 with what to fix, a failed run exits 1.
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const helpOrVersion = error.exitCode === 0;
    process.exitCode = helpOrVersion ? 0 : 2;
  } else if (error instanceof AutoOptimizeError) {
    process.stderr.write(`auto-optimize: ${error.message}\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `auto-optimize: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  }
}
