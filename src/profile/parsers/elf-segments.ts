/** A loaded segment of an ELF file, from `readelf -lW`. */
export interface LoadSegment {
  offset: number;
  address: number;
  size: number;
}

/** The LOAD lines of `readelf -lW BINARY`: `LOAD 0x014280 0x0000000000015280 0x… 0x0423e0 …`. */
export function parseLoadSegments(text: string): LoadSegment[] {
  const out: LoadSegment[] = [];
  for (const line of text.split("\n")) {
    const match = /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)/i.exec(
      line,
    );
    if (!match) continue;
    out.push({
      offset: Number.parseInt(match[1] as string, 16),
      address: Number.parseInt(match[2] as string, 16),
      size: Number.parseInt(match[3] as string, 16),
    });
  }
  return out;
}

/**
 * The address addr2line wants for an offset in the file (what perf prints for a binary's frames):
 * the two differ where a segment is not loaded at its file offset (Rust's and lld's layouts).
 */
export function offsetToAddress(segments: LoadSegment[], offset: number): number {
  const segment = segments.find((s) => offset >= s.offset && offset < s.offset + s.size);
  return segment ? offset - segment.offset + segment.address : offset;
}
