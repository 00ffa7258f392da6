import type { ErrorCode } from "./error-codes.js";

export type { ErrorCode };

/**
 * Errors meant for the person (or model) who must act on them. `exitCode` 2 means bad input:
 * the message says what to fix. Anything else that escapes is a failed run (exit code 1).
 */
export class AutoOptimizeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly exitCode: 1 | 2 | 130 = 1,
  ) {
    super(message);
    this.name = "AutoOptimizeError";
  }
}

/** Bad input: an unknown revision, a missing command, a flag out of range, output without the metric. */
export class UsageError extends AutoOptimizeError {
  constructor(code: ErrorCode, message: string) {
    super(code, message, 2);
    this.name = "UsageError";
  }
}

/** The user pressed Ctrl-C: the work was stopped and cleaned up; exit code 130 as for SIGINT. */
export class InterruptedError extends AutoOptimizeError {
  constructor(message = "interrupted (Ctrl-C); nothing was left half-done") {
    super("interrupted", message, 130);
    this.name = "InterruptedError";
  }
}
