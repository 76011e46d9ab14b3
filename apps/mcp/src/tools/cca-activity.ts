import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { formatActivity } from "../format.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_ACTIVITY_TOOL = "cca_activity";

const DESCRIPTION =
  "What each CCA agent is doing now (state, task, last tool, tokens, cost) and the team's latest events.";

/** Registers `cca_activity`: the live view of the team. */
export function registerCcaActivityTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_ACTIVITY_TOOL,
    { description: DESCRIPTION, annotations: { readOnlyHint: true } },
    async () => {
      try {
        return textResult(formatActivity(await context.client.activity(), context.clock.now()));
      } catch (error) {
        return daemonErrorResult("Could not read the team's activity", error);
      }
    },
  );
}
