import { type ApprovalRule, formatAge, type PendingApproval } from "@cca/core";
import { createIdShortener } from "./layout/short-ids.js";
import { renderTable } from "./layout/table.js";
import type { RenderOptions } from "./render.js";

/** `cca approvals`: one line per pending approval, and how to answer. */
export function renderApprovalTable(approvals: PendingApproval[], options: RenderOptions): string {
  if (approvals.length === 0) return "No approvals are waiting for you.";
  const now = options.now.getTime();
  const short = createIdShortener(
    approvals.flatMap((approval) => [approval.id, approval.agent_id, approval.task_id]),
  );
  const rows = approvals.map((approval) => [
    short(approval.id),
    approval.role,
    short(approval.agent_id),
    approval.task_id ? short(approval.task_id) : "-",
    approval.project ?? "-",
    formatAge(approval.created_at, now),
    approval.summary,
  ]);
  return [
    renderTable(["ID", "ROLE", "AGENT", "TASK", "PROJECT", "WAITING", "WANTS TO"], rows, options.width),
    "",
    "Answer with: cca approve <id> [--deny] [--message M] [--remember role|project]",
  ].join("\n");
}

/** `cca approvals rules`: one line per remembered answer. */
export function renderApprovalRules(rules: ApprovalRule[], options: RenderOptions): string {
  if (rules.length === 0) return "No remembered rules: every tool use a role does not pre-allow asks.";
  const now = options.now.getTime();
  const short = createIdShortener(rules.map((rule) => rule.id));
  const rows = rules.map((rule) => [
    short(rule.id),
    rule.role,
    rule.project ?? "(any)",
    rule.tool_name,
    formatAge(rule.created_at, now),
    rule.command ?? "(any input)",
  ]);
  return renderTable(["ID", "ROLE", "PROJECT", "TOOL", "AGE", "ALLOWS"], rows, options.width);
}
