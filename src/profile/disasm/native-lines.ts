import { sourceLineReader } from "../line-sources.js";
import { parseAddr2line } from "../parsers/addr2line.js";
import { display } from "../sourcemap.js";
import { runTool, which } from "../tools.js";
import type { Instruction } from "./native-findings.js";

/**
 * Gives each instruction the source line it was compiled from, through `addr2line -i` on the
 * binary's debug information: the innermost location, as the profile's hot lines take it, so the
 * findings and the profile point at the same lines (with the line's text when the file can be
 * read). Without addr2line or debug information the
 * instructions are left as they are.
 */
export async function addSourceLines(
  instructions: Instruction[],
  binary: string,
  cwd: string,
): Promise<void> {
  const addr2line = await which("addr2line");
  if (!addr2line || instructions.length === 0) return;
  const run = await runTool(
    addr2line,
    [
      "-a",
      "-f",
      "-i",
      "-C",
      "-e",
      binary,
      ...instructions.map((i) => `0x${i.address.toString(16)}`),
    ],
    { cwd, timeoutMs: 60_000 },
  );
  if (!run.ok) return;
  const chains = parseAddr2line(run.stdout);
  const read = sourceLineReader(cwd);
  for (const instruction of instructions) {
    const innermost = chains.get(instruction.address)?.[0];
    const file = display(innermost?.file ?? null, cwd);
    if (!file || !innermost?.line) continue;
    const text = await read(file, innermost.line);
    instruction.source = { file, line: innermost.line, ...(text && { text }) };
  }
}
