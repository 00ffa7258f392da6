/** Steps on stderr: rewritten in place on a terminal; elsewhere every step but the round ticks. */
export function stepPrinter(): (text: string) => void {
  const stream = process.stderr;
  if (stream.isTTY) {
    // The last step ends the line, so what follows starts on a fresh one.
    return (text) => stream.write(`\r${text}\x1b[K${text === "writing the report" ? "\n" : ""}`);
  }
  return (text) => {
    if (!/: round \d+\//.test(text)) stream.write(`${text}\n`);
  };
}
