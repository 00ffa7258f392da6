import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { parseSeconds } from "../flag-numbers.js";
import { parseLanguage } from "../profile/detect.js";
import { disassemble, formatDisassembly } from "../profile/disasm/index.js";
import { commandFromArgs } from "../profile/shell.js";

interface DisasmFlags {
  json?: boolean;
  language?: string;
  file?: string;
  timeout: string;
}

export function registerDisasm(program: Command): void {
  program
    .command("disasm")
    .description(
      "Show the machine code or bytecode of one function the command runs (objdump with perf samples, javap with the JIT's inlining, Python dis, V8 bytecode with deopts) and what to look at in it.",
    )
    .argument("<symbol>", "function, Class.method, or module:function (Python)")
    .argument("<command...>", "the command that runs it, after --: `disasm hot_loop -- ./bench`")
    .option("--json", "print { language, tool, symbol, findings, listing } as JSON")
    .option("--language <name>", "node | python | native | jvm | go (default: detected)")
    .option("--file <path>", "the source file that defines the function (Python)")
    .option("--timeout <seconds>", "time limit of the run", "600")
    .action(async (symbol: string, args: string[], flags: DisasmFlags) => {
      const command = commandFromArgs(args);
      if (!command.trim()) {
        throw new UsageError(
          "missing-command",
          "give the command after --, e.g. disasm hot_loop -- ./bench",
        );
      }
      const result = await disassemble({
        symbol,
        command,
        cwd: process.cwd(),
        timeoutMs: parseSeconds("--timeout", flags.timeout) * 1000,
        language: flags.language ? parseLanguage(flags.language) : undefined,
        file: flags.file,
      });
      process.stdout.write(
        flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDisassembly(result),
      );
    });
}
