import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { formatAgents } from "../format.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_AGENTS_TOOL = "cca_agents";

const DESCRIPTION = "The CCA team's agents: id, role, state, current task, tokens and cost.";

/** Registers `cca_agents`: the list of agents. */
export function registerCcaAgentsTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_AGENTS_TOOL,
    { description: DESCRIPTION, annotations: { readOnlyHint: true } },
    async () => {
      try {
        return textResult(formatAgents(await context.client.listAgents(), context.clock.now()));
      } catch (error) {
        return daemonErrorResult("Could not list the agents", error);
      }
    },
  );
}
