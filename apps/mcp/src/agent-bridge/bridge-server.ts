import type { AcpClient } from "@cca/acp/ws";
import { type Clock, type Logger, noopLogger, systemClock } from "@cca/core";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { VERSION } from "../version.js";
import type { Registration } from "./bridge-session.js";
import { registerDelegateTool } from "./delegate-tool.js";
import { registerMessageTools } from "./message-tools.js";
import { PERMISSION_PROMPT_TOOL, registerPermissionTool } from "./permission-tool.js";
import { ProgressRouter } from "./progress-router.js";

export interface AgentBridgeOptions {
  acp: Pick<AcpClient, "request" | "onNotification">;
  registration: Registration;
  progressIntervalMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/**
 * The MCP server an agent's Claude Code talks to (`cca-mcp --agent <id>`): the tools the
 * daemon granted its role, each carried out over ACP.
 */
export function createAgentBridgeServer(options: AgentBridgeOptions): McpServer {
  const server = new McpServer({ name: "cca-agent-bridge", version: VERSION });
  const context = {
    acp: options.acp,
    role: options.registration.role,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? noopLogger,
    progressIntervalMs: options.progressIntervalMs ?? 5000,
    progress: new ProgressRouter(options.acp),
  };
  const tools = new Set(options.registration.tools);
  if (tools.has("cca_delegate")) registerDelegateTool(server, context);
  registerMessageTools(server, context, {
    send: tools.has("cca_send"),
    broadcast: tools.has("cca_broadcast"),
  });
  if (tools.has(PERMISSION_PROMPT_TOOL)) {
    registerPermissionTool(server, context, { approvalTimeoutS: options.registration.approval_timeout_s });
  }
  return server;
}

export type BridgeContext = {
  acp: AgentBridgeOptions["acp"];
  role: string;
  clock: Clock;
  logger: Logger;
  progressIntervalMs: number;
  progress: ProgressRouter;
};
