import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * What a long step is doing, sent as `notifications/progress` when the client gave a progress
 * token with its call (the count rises with every message; the total is unknown), and logged.
 */
export type ProgressReporter = (message: string) => void;

export function progressReporter(extra: ToolExtra, log: (line: string) => void): ProgressReporter {
  const token = extra._meta?.progressToken;
  let progress = 0;
  return (message: string): void => {
    log(message);
    if (token === undefined) return;
    progress += 1;
    extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken: token, progress, message },
      })
      .catch(() => {
        // The client went away mid-step; the step itself goes on and is recorded.
      });
  };
}
