import { type Approval, formatAge, type PendingApproval } from "@cca/core";

/** One pending approval on one line: ``approval_… · backend wants to run `npm i` · task task_… · project /p · 2m``. */
export function formatApprovalLine(approval: PendingApproval, now: number): string {
  const parts = [
    approval.id,
    `${approval.role} (${approval.agent_id}) wants to ${approval.summary}`,
    `task ${approval.task_id ?? "-"}`,
  ];
  if (approval.project) parts.push(`project ${approval.project}`);
  parts.push(`waiting ${formatAge(approval.created_at, now)}`);
  return parts.join(" · ");
}

/** The pending approvals, with how to answer them. */
export function formatApprovals(approvals: PendingApproval[], now: number): string {
  if (approvals.length === 0) return "No approvals are waiting for you.";
  const lines = approvals.map((approval) => `- ${formatApprovalLine(approval, now)}`);
  return [
    `${approvals.length} tool use${approvals.length === 1 ? "" : "s"} wait${approvals.length === 1 ? "s" : ""} for your approval:`,
    ...lines,
    "",
    'Answer with cca_approve {"id":"…","allow":true} (or "allow":false with a "message" for the agent); ' +
      '"remember":"role" or "project" allows the same use again without asking.',
  ].join("\n");
}

/** What an answer did, for the person who gave it. */
export function formatAnswer(approval: Approval): string {
  const verdict = approval.status === "allowed" ? "Allowed" : "Denied";
  const remembered = approval.remember
    ? ` Remembered for the ${approval.remember === "role" ? `${approval.role} role` : `${approval.role} role in ${approval.project}`}: the same use no longer asks (cca approvals rules lists the rules).`
    : "";
  const message = approval.message ? ` Message to the agent: ${approval.message}.` : "";
  return `${verdict}: ${approval.role} (${approval.agent_id}) may${approval.status === "allowed" ? "" : " not"} ${approval.summary} (${approval.id}).${message}${remembered}`;
}

/** The early answer of a waiting `cca_task` (or `cca_resume`) when nobody can be asked directly (no MCP elicitation). */
export function formatWaitingForApproval(taskId: string, approvals: PendingApproval[]): string {
  const first = approvals[0];
  if (!first) return `Task ${taskId} is waiting for your approval.`;
  const what = `${first.role} wants to ${first.summary}`;
  const more = approvals.length > 1 ? ` (and ${approvals.length - 1} more: cca_approvals lists them)` : "";
  return (
    `Task ${taskId} is waiting for your approval: ${what}${more}; answer with cca_approve ` +
    `{"id":"${first.id}","allow":true} (or "allow":false), then cca_status {"task_id":"${taskId}"} to keep waiting. ` +
    "The task keeps its place meanwhile."
  );
}
