import type { Clock, DaemonClient, Logger } from "@cca/core";

/** What every tool handler works with; built once by `createCommandCenterServer`. */
export interface ToolContext {
  client: DaemonClient;
  clock: Clock;
  logger: Logger;
  /** The longest `cca_task` waits for an answer before it hands back the task id, in seconds. */
  waitLimitS: number;
  /** How often a waiting `cca_task` sends a progress notification, in milliseconds. */
  progressIntervalMs: number;
}
