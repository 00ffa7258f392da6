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
    readonly exitCode: 1 | 2 | 3 | 130 = 1,
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

/** The comparison ran and its verdict is one `compare --fail-on` names: exit code 3, for CI gates. */
export class VerdictGateError extends AutoOptimizeError {
  constructor(message: string) {
    super("verdict-gate", message, 3);
    this.name = "VerdictGateError";
  }
}

/** Why the autonomous loop stops when the user pressed Ctrl-C. */
export const USER_INTERRUPT = "interrupted by the user (Ctrl-C); run again to continue";

/**
 * Work stopped at a step boundary and cleaned up, nothing left half-done: by the user (Ctrl-C or
 * SIGTERM; exit code 130 as for SIGINT), or because a budget ran out in the middle of an
 * iteration (`byUser` false; the loop records the reason and stops).
 */
export class InterruptedError extends AutoOptimizeError {
  constructor(
    readonly reason = "interrupted (Ctrl-C); nothing was left half-done",
    readonly byUser = true,
  ) {
    super("interrupted", reason, byUser ? 130 : 1);
    this.name = "InterruptedError";
  }
}
