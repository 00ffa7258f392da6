import type { Language } from "../types.js";

export interface DisasmRequest {
  /** Function, method (Class.method) or symbol to show. */
  symbol: string;
  /** The command that runs the code (its program, script or classpath tell where the code is). */
  command: string;
  cwd: string;
  env?: Record<string, string>;
  timeoutMs: number;
  language?: Language;
  /** Source file the symbol is defined in, when known (a Python module, from the profile). */
  file?: string | null;
}

export interface Disassembly {
  language: Language;
  /** objdump, javap, dis, v8-bytecode… and, when samples annotate it, "+ perf annotate". */
  tool: string;
  symbol: string;
  /** The listing, as the tool printed it (annotated with sample percentages when available). */
  listing: string;
  /** What the planner should look at: vector code or not, calls, loads/stores in the loop, deopts. */
  findings: string[];
  notes: string[];
}
