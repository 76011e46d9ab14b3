import { formatGroupedCount, type RlStatus, type RoutingSourceStats } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_RL_STATUS_TOOL = "cca_rl_status";

// Every tool definition is sent with each request of the session: keep it short.
const DESCRIPTION =
  "CCA's learned routing (which role gets a task or part): mode; per policy, experiences trained on and learned vs heuristic success rate and mean tokens.";

/** Registers `cca_rl_status`: how learned routing is doing, in a few lines. */
export function registerCcaRlStatusTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_RL_STATUS_TOOL,
    { description: DESCRIPTION, annotations: { readOnlyHint: true } },
    async () => {
      try {
        return textResult(formatRlStatus(await context.client.rlStatus()));
      } catch (error) {
        return daemonErrorResult("Could not read the learned routing's status", error);
      }
    },
  );
}

/**
 * The status as the Command Center reads it: the mode, then a line per policy, e.g.
 * `- task: trained on 40; heuristic 30 (28 ended: 70% succeeded, ~48,210 tokens); learned 12 (…)`.
 */
export function formatRlStatus(status: RlStatus): string {
  if (status.mode === "off") {
    return "Learned routing is off: the heuristic routes every task ([learning] enabled = true in cca.toml turns it on).";
  }
  const { gates } = status;
  const mode =
    status.mode === "shadow"
      ? "shadow (it learns; the heuristic routes)"
      : `on (gates: min_support ${gates.min_support}, min_confidence ${gates.min_confidence}, explore ${gates.explore})`;
  return [
    `Learned routing: ${mode}.`,
    ...status.policies.map((policy) => {
      const sources =
        policy.by_source.length === 0 ? "no decisions yet" : policy.by_source.map(formatSource).join("; ");
      return `- ${policy.policy}: trained on ${formatGroupedCount(policy.trained_on)}; ${sources}`;
    }),
  ].join("\n");
}

function formatSource(stats: RoutingSourceStats): string {
  if (stats.settled === 0 || stats.success_rate === null)
    return `${stats.source} ${stats.decisions} (none ended)`;
  const tokens =
    stats.mean_tokens === null ? "" : `, ~${formatGroupedCount(Math.round(stats.mean_tokens))} tokens`;
  return `${stats.source} ${stats.decisions} (${stats.settled} ended: ${Math.round(stats.success_rate * 100)}% succeeded${tokens})`;
}
