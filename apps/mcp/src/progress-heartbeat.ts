import type { Logger } from "@cca/core";
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** A running heartbeat; `stop()` ends it. */
export interface ProgressHeartbeat {
  stop(): void;
}

/**
 * Sends `notifications/progress` for the current request at once and then every `intervalMs`,
 * news or not: Claude Code gives up on tool calls that stay silent for long.
 * Does nothing when the caller sent no `_meta.progressToken`.
 */
export function startProgressHeartbeat(options: {
  extra: ToolExtra;
  intervalMs: number;
  message: () => string;
  logger: Logger;
}): ProgressHeartbeat {
  const progressToken = options.extra._meta?.progressToken;
  if (progressToken === undefined) return { stop() {} };
  let progress = 0;
  const beat = () => {
    progress += 1;
    options.extra
      .sendNotification({
        method: "notifications/progress",
        params: { progressToken, progress, message: options.message() },
      })
      .catch((error: unknown) => options.logger.debug("could not send progress", { error }));
  };
  beat();
  const timer = setInterval(beat, options.intervalMs);
  return { stop: () => clearInterval(timer) };
}
