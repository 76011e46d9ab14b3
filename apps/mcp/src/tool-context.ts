import type { Clock, DaemonClient, Logger } from "@cca/core";
import type { McpServer, ToolCallback } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { ZodRawShapeCompat } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import type { CallToolResult, ToolAnnotations } from "@modelcontextprotocol/sdk/types.js";
import type { LateFinishes } from "./late-finishes.js";
import type { ToolExtra } from "./progress-heartbeat.js";

/** What every tool handler works with; built once by `createCommandCenterServer`. */
export interface ToolContext {
  client: DaemonClient;
  clock: Clock;
  logger: Logger;
  /** The longest `cca_task` (or `cca_resume`) waits for an answer before it hands back the task id, in seconds. */
  waitLimitS: number;
  /** How often a waiting `cca_task` (or `cca_resume`) sends a progress notification, in milliseconds. */
  progressIntervalMs: number;
  /** The Command Center's project folder, sent with every task; undefined sends none. */
  projectDir: string | undefined;
  /** Whether an interrupted `cca_task` (or `cca_resume`) wait cancels its task (`[mcp] cancel_on_interrupt`). */
  cancelOnInterrupt: boolean;
  /** Tasks that ended after their `cca_task` (`cca_resume`) call returned; every answer reports them. */
  lateFinishes: LateFinishes;
  /** Whether the client can ask the person through MCP elicitation (approvals while `cca_task` waits). */
  supportsElicitation?: () => boolean;
}

/**
 * Registers a Command Center tool as `server.registerTool` does, with one addition: every
 * answer first tells of the tasks that ended late (see `LateFinishes`).
 */
export function registerCcaTool<InputArgs extends undefined | ZodRawShapeCompat = undefined>(
  server: McpServer,
  context: ToolContext,
  name: string,
  config: { description: string; inputSchema?: InputArgs; annotations?: ToolAnnotations },
  handler: ToolCallback<InputArgs>,
): void {
  // The SDK calls a tool with (args, extra), or (extra) when it takes no input.
  const call = handler as (...params: unknown[]) => CallToolResult | Promise<CallToolResult>;
  const answer = async (...params: unknown[]): Promise<CallToolResult> => {
    const result = await call(...params);
    const extra = params.at(-1) as ToolExtra;
    // The SDK drops the answer to a cancelled request: keep the news for one that is read.
    if (extra.signal.aborted) return result;
    return context.lateFinishes.addTo(result);
  };
  server.registerTool(name, config, answer as ToolCallback<InputArgs>);
}
