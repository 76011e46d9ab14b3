import { formatGroupedCount, type RedundancyReport } from "@cca/core";

/**
 * `cca tokens redundancy`: what several agents of a task were sent, most tokens first: the
 * file or the start of the text, who got it, its estimated tokens, and what to do instead.
 */
export function renderRedundancy(report: RedundancyReport): string {
  if (report.items.length === 0) {
    return `Nothing was sent to more than one agent of task ${report.task_id}: no file read twice, no text pasted into two parts.`;
  }
  const lines = [
    `Task ${report.task_id}: about ${formatGroupedCount(report.tokens_saveable)} tokens went to agents more than once (estimated from characters, ${report.estimate}).`,
  ];
  for (const item of report.items) {
    const who = item.recipients.map((recipient) => recipient.role).join(", ");
    lines.push(
      "",
      `${item.kind === "file" ? "file" : "text"}  ${item.what}`,
      `  to ${who}; ${formatGroupedCount(item.tokens_each)} tokens each, ${formatGroupedCount(item.tokens_saveable)} more than once`,
      `  ${item.recommendation}`,
    );
  }
  return lines.join("\n");
}
