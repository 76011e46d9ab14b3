import { type Clock, type DaemonClient, type Logger, noopLogger, systemClock } from "@cca/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createLateFinishes } from "./late-finishes.js";
import type { ToolContext } from "./tool-context.js";
import { registerCcaActivityTool } from "./tools/cca-activity.js";
import { registerCcaAgentsTool } from "./tools/cca-agents.js";
import { registerCcaApplyTool } from "./tools/cca-apply.js";
import { registerCcaApprovalTools } from "./tools/cca-approvals.js";
import { registerCcaCancelTool } from "./tools/cca-cancel.js";
import { registerCcaDiffTool } from "./tools/cca-diff.js";
import { registerCcaFeedbackTool } from "./tools/cca-feedback.js";
import { registerCcaMemoryTool } from "./tools/cca-memory.js";
import { registerCcaResumeTool } from "./tools/cca-resume.js";
import { registerCcaRlStatusTool } from "./tools/cca-rl-status.js";
import { registerCcaStatusTool } from "./tools/cca-status.js";
import { registerCcaTaskTool } from "./tools/cca-task.js";
import { registerCcaTokensTool } from "./tools/cca-tokens.js";
import { VERSION } from "./version.js";

/** The longest `cca_task` (or `cca_resume`) waits by default, in seconds (`CCA_MCP_WAIT_S` overrides it in `cca-mcp`). */
export const DEFAULT_WAIT_LIMIT_S = 600;
/** How often a waiting `cca_task` (or `cca_resume`) reports progress by default, in milliseconds. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 5000;

export interface CommandCenterServerOptions {
  /** The daemon to talk to. */
  client: DaemonClient;
  /** The longest `cca_task` waits before it returns the task id instead (default 600 s). */
  waitLimitS?: number;
  /** How often a waiting `cca_task` sends a progress notification (default 5000 ms). */
  progressIntervalMs?: number;
  /** Diagnostics; never stdout, which carries the protocol. Defaults to no logging. */
  logger?: Logger;
  /** Where time comes from (wait limit, ages in listings). Defaults to the system clock. */
  clock?: Clock;
  /**
   * The Command Center's project folder (absolute), sent as `project_dir` with every task so the
   * daemon works on that project. `cca-mcp` passes `$CLAUDE_PROJECT_DIR`, else its working folder.
   * Without it tasks carry no project.
   */
  projectDir?: string;
  /** Cancel a task when the user interrupts the `cca_task` call waiting for it (default false: it goes on). */
  cancelOnInterrupt?: boolean;
}

/**
 * The Command Center's MCP server: `cca_task`, `cca_status`, `cca_cancel`, `cca_resume`,
 * `cca_activity`, `cca_agents`, `cca_approvals`, `cca_approve`, `cca_diff`, `cca_apply`,
 * `cca_memory`, `cca_feedback`, `cca_tokens` and `cca_rl_status` over a daemon client. Every
 * answer also reports the tasks this server started (or resumed) that ended after their
 * `cca_task` (`cca_resume`) call returned. Connect it to any MCP transport.
 * @example
 * const client = createDaemonClient({ baseUrl: resolveDaemonUrl(), token: readAccessToken() });
 * const server = createCommandCenterServer({ client, projectDir: process.cwd() });
 * await server.connect(new StdioServerTransport());
 */
export function createCommandCenterServer(options: CommandCenterServerOptions): McpServer {
  const logger = options.logger ?? noopLogger;
  const context: ToolContext = {
    client: options.client,
    clock: options.clock ?? systemClock,
    logger,
    waitLimitS: options.waitLimitS ?? DEFAULT_WAIT_LIMIT_S,
    progressIntervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
    projectDir: options.projectDir,
    cancelOnInterrupt: options.cancelOnInterrupt ?? false,
    lateFinishes: createLateFinishes({ client: options.client, logger }),
    supportsElicitation: () => server.server.getClientCapabilities()?.elicitation !== undefined,
  };
  const server = new McpServer({ name: "cca", version: VERSION });
  registerCcaTaskTool(server, context);
  registerCcaStatusTool(server, context);
  registerCcaCancelTool(server, context);
  registerCcaResumeTool(server, context);
  registerCcaActivityTool(server, context);
  registerCcaAgentsTool(server, context);
  registerCcaApprovalTools(server, context);
  registerCcaDiffTool(server, context);
  registerCcaApplyTool(server, context);
  registerCcaMemoryTool(server, context);
  registerCcaFeedbackTool(server, context);
  registerCcaTokensTool(server, context);
  registerCcaRlStatusTool(server, context);
  return server;
}
