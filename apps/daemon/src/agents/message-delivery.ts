import { CcaError } from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { ManagedAgent } from "./managed-agent.js";

/**
 * Leaves `message` from `from` in the inboxes of the `live` agents `to` names: an agent id, a
 * role (every one of it), or "*" (all of them). Returns the ids it reached; throws
 * `agent_not_found`, naming some live roles and ids, when it reaches none.
 */
export function deliverMessage(options: {
  from: ManagedAgent;
  /** The live agents but the sender. */
  live: ManagedAgent[];
  to: string;
  message: string;
  at: string;
  activity: ActivityLog;
}): string[] {
  const { from, live, to, message, at } = options;
  const targets =
    to === "*" ? live : live.filter((agent) => agent.record.id === to || agent.record.role === to);
  if (targets.length === 0) {
    const known = [...new Set(live.flatMap((agent) => [agent.record.role, agent.record.id]))];
    throw new CcaError(
      "agent_not_found",
      `No live agent matches "${to}"; send to an agent id or a role${known.length ? `, e.g. ${known.slice(0, 6).join(", ")}` : " (no other agent is running)"}`,
      { details: { to } },
    );
  }
  for (const target of targets)
    target.inbox.push({ from: `${from.record.role} (${from.record.id})`, message, at });
  const ids = targets.map((target) => target.record.id);
  options.activity.record("agent.message", {
    agent_id: from.record.id,
    summary: `${from.record.role} → ${to === "*" ? "everyone" : to}: ${oneLine(message, 120)}`,
  });
  return ids;
}
