import {
  formatCost,
  formatGroupedCount,
  type RedundancyReport,
  TOKEN_REPORT_GROUPS,
  type TokenReport,
  type TokenReportRow,
} from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, textResult } from "../tool-result.js";

export const CCA_TOKENS_TOOL = "cca_tokens";

/** How far back a report goes without `since` (and without `task_id`, which reports all of its task). */
const DEFAULT_SINCE = "24h";

const DESCRIPTION =
  "What CCA's agents spent: turns, tokens (input, output, cache writes, cache reads), the share of input read from cache, and cost, added up by role, project, UTC day or top-level task, most first, with the total. The last 24h unless since is given; with task_id, all of that task and its parts, and what several of its agents were sent twice.";

const inputSchema = {
  by: z
    .enum(TOKEN_REPORT_GROUPS, { error: `by must be one of ${TOKEN_REPORT_GROUPS.join(", ")}` })
    .optional()
    .describe(
      "role (default): the agents' roles, distiller for the memory's turns; project: the project folder; day: the UTC day; task: the top-level task, its parts counted in.",
    ),
  since: z
    .string({ error: "since must be a string such as 24h" })
    .trim()
    .min(1, "since must not be empty: give 30m, 24h, 7d, an ISO time or all")
    .optional()
    .describe("Only turns since then: 30m, 24h, 7d, an ISO time (2026-12-01T09:00:00Z), or all."),
  task_id: z
    .string({ error: "task_id must be a string such as the id cca_task returned" })
    .trim()
    .min(1, "task_id must not be empty; leave it out to report every task")
    .optional()
    .describe("Only the turns of this task (the id cca_task returned) and its parts."),
};

/** Registers `cca_tokens`: the token report, as a short table. */
export function registerCcaTokensTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_TOKENS_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { readOnlyHint: true } },
    async ({ by, since, task_id: taskId }) => {
      const window = since ?? (taskId ? "all" : DEFAULT_SINCE);
      try {
        const report = await context.client.tokenReport({
          ...(by ? { by } : {}),
          ...(window === "all" ? {} : { since: window }),
          ...(taskId ? { task_id: taskId } : {}),
        });
        if (!taskId) return textResult(formatTokenReport(report));
        const redundancy = await context.client.taskRedundancy(taskId);
        return textResult(
          [formatTokenReport(report), formatRedundancy(redundancy)].filter(Boolean).join("\n\n"),
        );
      } catch (error) {
        return daemonErrorResult("Could not read the token report", error);
      }
    },
  );
}

/** What several agents of the task were sent, with estimated tokens and what to do; empty when nothing. */
export function formatRedundancy(report: RedundancyReport): string {
  if (report.items.length === 0) return "";
  const lines = report.items.map(
    (item) =>
      `- ${item.kind === "file" ? "file" : "text"} ${item.what}: ~${formatGroupedCount(item.tokens_saveable)} tokens more than once. ${item.recommendation}`,
  );
  return [
    `Sent to more than one agent: ~${formatGroupedCount(report.tokens_saveable)} tokens (estimated, ${report.estimate}):`,
    ...lines,
  ].join("\n");
}

/** The report as a Markdown table, one row per group and the total, e.g. `| backend | 3 | 12,000 | … |`. */
export function formatTokenReport(report: TokenReport): string {
  const task = report.task_id === null ? "" : ` of task ${report.task_id} and its parts`;
  const since = report.since === null ? "" : ` since ${report.since.slice(0, 16).replace("T", " ")} UTC`;
  if (report.rows.length === 0) return `No turns recorded${task}${since}.`;
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  const row = (values: TokenReportRow, key: string) =>
    line([
      key,
      formatGroupedCount(values.turns),
      formatGroupedCount(values.input_tokens),
      formatGroupedCount(values.output_tokens),
      formatGroupedCount(values.cache_creation_input_tokens),
      formatGroupedCount(values.cache_read_input_tokens),
      `${Math.round(values.cache_read_share * 100)}%`,
      formatCost(values.cost_usd),
    ]);
  return [
    `Tokens by ${report.by}${task}${since}:`,
    "",
    line([report.by, "turns", "input", "output", "cache write", "cache read", "cache-read share", "cost"]),
    line(["---", ...Array<string>(7).fill("---:")]),
    ...report.rows.map((values) => row(values, values.key ?? "(none)")),
    row(report.total, "**total**"),
  ].join("\n");
}
