import type { Agent } from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import type { ApiRetry, TurnResult } from "../agents/agent-driver.js";
import type { TurnLimiter } from "./turn-limiter.js";

/** HTTP statuses that mean "slow down": rate limited, and overloaded. */
const SLOW_DOWN = new Set([429, 529]);

/** What a turn tried again after a rate limit is told. */
export const RATE_LIMIT_RETRY_NOTE =
  "(CCA: your last attempt at this was refused by the Anthropic API's rate limit before you could answer; this is the same request again.)";

/** The API refused the turn for its rate limit (429) or overload (529), after Claude Code's own retries. */
export function isRateLimited(turn: TurnResult): boolean {
  return turn.isError && turn.apiErrorStatus !== null && SLOW_DOWN.has(turn.apiErrorStatus);
}

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
