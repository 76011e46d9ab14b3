import type { Agent } from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import type { ApiRetry } from "../agents/agent-driver.js";
import type { TurnLimiter } from "./turn-limiter.js";

/** HTTP statuses that mean "slow down": rate limited, and overloaded. */
const SLOW_DOWN = new Set([429, 529]);

/**
 * Hears every agent's API retries: a 429 or 529 lowers the turn limiter and holds new turns
 * for the retry's wait (Claude Code waits the API's `retry-after`); a lowered limit is an
 * activity event, so a person sees why work slowed.
 */
export function rateLimitSignals(
  limiter: TurnLimiter,
  activity: ActivityLog,
): (retry: ApiRetry, agent: Agent) => void {
  return (retry, agent) => {
    if (retry.errorStatus === null || !SLOW_DOWN.has(retry.errorStatus)) return;
    const { from, to, waitMs } = limiter.rateLimited(retry.retryDelayMs);
    if (to === from) return;
    activity.record("rate_limit.lowered", {
      agent_id: agent.id,
      task_id: agent.current_task_id,
      summary: `${agent.role}: the API answered HTTP ${retry.errorStatus} (${retry.errorStatus === 429 ? "rate limited" : "overloaded"}); turns at once ${from} → ${to}, new turns wait ${Math.ceil(waitMs / 1000)} s`,
    });
  };
}
