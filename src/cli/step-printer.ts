import { worthALine } from "../measure/round-progress.js";

/**
 * Steps on stderr: rewritten in place on a terminal; elsewhere every step, and of a comparison's
 * rounds every look and every fifth round, so a long measurement is never silent.
 */
export function stepPrinter(
  stream: { write(chunk: string): unknown; isTTY?: boolean } = process.stderr,
): (text: string) => void {
  if (stream.isTTY) {
    // The last step ends the line, so what follows starts on a fresh one.
    return (text) => stream.write(`\r${text}\x1b[K${text === "writing the report" ? "\n" : ""}`);
  }
  return (text) => {
    if (worthALine(text)) stream.write(`${text}\n`);
  };
}
