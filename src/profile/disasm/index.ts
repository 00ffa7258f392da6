import { detectLanguage } from "../detect.js";
import { ProfileError } from "../types.js";
import { disassembleJvm } from "./jvm.js";
import { disassembleNative } from "./native.js";
import { disassembleNode } from "./node.js";
import { disassemblePython } from "./python.js";
import type { DisasmRequest, Disassembly } from "./types.js";

/** The disassembler for the command's language: objdump, javap, dis or V8's bytecode printer. */
export async function disassemble(req: DisasmRequest): Promise<Disassembly> {
  const language = req.language ?? (await detectLanguage(req.command, req.cwd));
  switch (language) {
    case "native":
    case "go":
      if (language === "go" && /(^|\s)go\s+test\b/.test(req.command)) {
        throw new ProfileError(
          "no-disassembler",
          "disassembly of a `go test` run needs the test binary: build it (go test -c -o bench.test) and give -- ./bench.test -test.bench .",
        );
      }
      return disassembleNative(req);
    case "jvm":
      return disassembleJvm(req);
    case "python":
      return disassemblePython(req);
    case "node":
      return disassembleNode(req);
  }
}

/** The disassembly as text: the findings first (what to look at), then the listing. */
export function formatDisassembly(d: Disassembly): string {
  return [
    `${d.symbol} (${d.language}, ${d.tool})`,
    "",
    "findings:",
    ...d.findings.map((f) => `- ${f}`),
    ...(d.notes.length ? ["", ...d.notes.map((n) => `note: ${n}`)] : []),
    "",
    d.listing.trimEnd(),
    "",
  ].join("\n");
}
