import {
  formatCompactCount,
  formatCost,
  type TokenReport,
  type TokenReportGroup,
  type TokenReportRow,
} from "@cca/core";
import { renderTable } from "./layout/table.js";
import type { RenderOptions } from "./render.js";

/** The key column's header for each grouping. */
const KEY_HEADER: Record<TokenReportGroup, string> = {
  role: "ROLE",
  project: "PROJECT",
  day: "DAY",
  task: "TASK",
};

/** A share (0..1) as a whole percentage: `0.6` → `60%`. */
function formatShare(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** A report's start as people read it, to the minute: `2026-12-03 09:00 UTC`. */
function formatReportStart(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/**
 * `cca tokens report`: one line per group, most tokens first, then the total. The key (role,
 * project folder, day or top-level task) comes last so that a long folder is the one shortened.
 */
export function renderTokenReport(report: TokenReport, options: RenderOptions): string {
  const since = report.since === null ? "" : ` since ${formatReportStart(report.since)}`;
  const task = report.task_id === null ? "" : ` of task ${report.task_id} and its parts`;
  if (report.rows.length === 0) {
    return report.since === null ? `No turns recorded${task}.` : `No turns recorded${task}${since}.`;
  }
  const line = (row: TokenReportRow, key: string) => [
    String(row.turns),
    formatCompactCount(row.input_tokens),
    formatCompactCount(row.output_tokens),
    formatCompactCount(row.cache_creation_input_tokens),
    formatCompactCount(row.cache_read_input_tokens),
    formatShare(row.cache_read_share),
    formatCost(row.cost_usd),
    key,
  ];
  const table = renderTable(
    ["TURNS", "INPUT", "OUTPUT", "CACHE WRITE", "CACHE READ", "READ SHARE", "COST", KEY_HEADER[report.by]],
    [...report.rows.map((row) => line(row, row.key ?? "(none)")), line(report.total, "(total)")],
    options.width,
  );
  return [`Tokens by ${report.by}${task}${since}:`, table].join("\n");
}
