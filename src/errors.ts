/**
 * Errors meant for the person (or model) who must act on them. `exitCode` 2 means bad input:
 * the message says what to fix. Anything else that escapes is a failed run (exit code 1).
 */
export class AutoOptimizeError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
  ) {
    super(message);
    this.name = "AutoOptimizeError";
  }
}

/** Bad input: an unknown revision, a missing command, a flag out of range, output without the metric. */
export class UsageError extends AutoOptimizeError {
  constructor(code: string, message: string) {
    super(code, message, 2);
    this.name = "UsageError";
  }
}
