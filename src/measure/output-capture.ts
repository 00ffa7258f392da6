const TAIL_BYTES = 8 * 1024;

/**
 * Keeps the first `maxBytes` of a stream, plus its last few KiB separately: a truncated stderr
 * still shows how the command ended (and, on macOS, the resource lines BSD time appends).
 */
export class OutputCapture {
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail = Buffer.alloc(0);
  truncated = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): void {
    const room = this.maxBytes - this.headBytes;
    if (room > 0) {
      const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
      this.head.push(kept);
      this.headBytes += kept.length;
    }
    if (chunk.length > room) this.truncated = true;
    const joined = Buffer.concat([this.tail, chunk]);
    this.tail = joined.subarray(Math.max(0, joined.length - TAIL_BYTES));
  }

  text(): string {
    return Buffer.concat(this.head).toString("utf8");
  }

  /** The last bytes of the whole stream, whether or not they fell inside the kept head. */
  tailText(): string {
    return this.tail.toString("utf8");
  }
}
