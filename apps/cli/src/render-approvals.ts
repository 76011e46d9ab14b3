import { type ApprovalRule, formatAge, type PendingApproval } from "@cca/core";
import { type RenderOptions, renderTable } from "./render.js";

/** `cca approvals`: one line per pending approval, and how to answer. */
export function renderApprovalTable(approvals: PendingApproval[], options: RenderOptions): string {
  if (approvals.length === 0) return "No approvals are waiting for you.";
  const now = options.now.getTime();
  const rows = approvals.map((approval) => [
    approval.id,
    approval.role,
    approval.agent_id,
    approval.task_id ?? "-",
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
  const rows = rules.map((rule) => [
    rule.id,
    rule.role,
    rule.project ?? "(any)",
    rule.tool_name,
    formatAge(rule.created_at, now),
    rule.command ?? "(any input)",
  ]);
  return renderTable(["ID", "ROLE", "PROJECT", "TOOL", "AGE", "ALLOWS"], rows, options.width);
}
