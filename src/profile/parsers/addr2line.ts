/** One function of an address's inline chain: the function, and where in it the address is. */
export interface InlineLocation {
  name: string;
  file: string | null;
  line: number | null;
}

/**
 * `addr2line -a -f -i -C -e BINARY ADDR…`: per address, its functions innermost first — the
 * functions inlined at it, then the function it is in — each with its source location (for an
 * inlined function's callers, the line of the call it was inlined at). Unknowns are "??".
 */
export function parseAddr2line(text: string): Map<number, InlineLocation[]> {
  const out = new Map<number, InlineLocation[]>();
  let chain: InlineLocation[] | null = null;
  let name: string | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (/^0x[0-9a-fA-F]+$/.test(line)) {
      chain = [];
      out.set(Number.parseInt(line.slice(2), 16), chain);
      name = null;
    } else if (chain && name === null) {
      name = line;
    } else if (chain && name !== null) {
      const where = /^(.*):(\d+|\?)(?: \(discriminator \d+\))?$/.exec(line);
      const file = where && where[1] !== "??" ? (where[1] as string) : null;
      const number = where && where[2] !== "?" ? Number(where[2]) : null;
      if (name !== "??" || file)
        chain.push({ name, file, line: number && number > 0 ? number : null });
      name = null;
    }
  }
  return out;
}
