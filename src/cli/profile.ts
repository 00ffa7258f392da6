import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseInteger, parseSeconds } from "../flag-numbers.js";
import { parseLanguage } from "../profile/detect.js";
import { profileCommand } from "../profile/profile.js";
import { commandFromArgs } from "../profile/shell.js";
import { formatHotspots } from "../profile/table.js";

interface ProfileFlags {
  json?: boolean;
  top: string;
  language?: string;
  speedscope?: string;
  timeout: string;
  focus?: string;
}

export function registerProfile(program: Command): void {
  program
    .command("profile")
    .description(
      "Run a command once under the sampling profiler for its language (Node.js, Python, native, JVM, go test) and print its hot spots, sorted by self time.",
    )
    .argument("<command...>", "the command, after --: `profile -- node bench.js`")
    .option(
      "--json",
      "print { language, profiler, samples, intervalUs, hotspots: [{ …, lines: [{ line, selfPct, source }] }] } as JSON",
    )
    .option("--top <n>", "how many functions to show", "20")
    .option("--language <name>", "node | python | native | jvm | go (default: detected)")
    .option("--speedscope <file>", "also write the profile in speedscope's format")
    .option(
      "--focus <function>",
      "percentages as shares of the samples inside this function (the measured region, setup left out)",
    )
    .option("--timeout <seconds>", "time limit of the profiled run", "600")
    .action(async (args: string[], flags: ProfileFlags) => {
      const command = commandFromArgs(args);
      if (!command.trim()) {
        throw new UsageError(
          "missing-command",
          "give the command after --, e.g. profile -- node bench.js",
        );
      }
      const top = parseInteger("--top", flags.top, 1);
      const outcome = await profileCommand({
        command,
        cwd: process.cwd(),
        timeoutMs: parseSeconds("--timeout", flags.timeout) * 1000,
        language: flags.language ? parseLanguage(flags.language) : undefined,
        focus: flags.focus,
      });
      if (flags.speedscope) {
        await writeFile(flags.speedscope, `${JSON.stringify(outcome.speedscope)}\n`);
      }
      const { hotspots } = outcome;
      if (flags.json) {
        const json = {
          language: hotspots.language,
          profiler: hotspots.profiler,
          samples: hotspots.samples,
          ...(hotspots.intervalUs !== undefined && { intervalUs: hotspots.intervalUs }),
          ...(hotspots.focus && { focus: hotspots.focus }),
          ...(hotspots.gcPct !== undefined && { gcPct: hotspots.gcPct }),
          hotspots: hotspots.hotspots.slice(0, top).map((h) => ({
            name: h.name,
            file: h.file,
            line: h.line,
            selfPct: h.selfPct,
            totalPct: h.totalPct,
            samples: h.samples,
            lines: h.lines ?? [],
          })),
          notes: hotspots.notes,
        };
        process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
      } else {
        process.stdout.write(formatHotspots(hotspots, top));
        if (flags.speedscope) process.stdout.write(`speedscope profile: ${flags.speedscope}\n`);
      }
    });
}
