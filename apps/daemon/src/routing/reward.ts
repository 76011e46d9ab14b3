import { type Config, type Task, teamUsage, totalTokens } from "@cca/core";
import type { RoutingOutcomeRecord } from "@cca/memory";

/**
 * The outcome of a routed task or part: success is completing, tokens are its whole tree's,
 * and the reward is 1 for success less the weighted tokens and time (`[learning]`).
 * Only completed and failed work has an outcome: a cancel or a pause says nothing of the role.
 */
export function routingOutcome(task: Task, config: Config["learning"]): RoutingOutcomeRecord | null {
  if (task.status !== "completed" && task.status !== "failed") return null;
  const success = task.status === "completed";
  const tokens = totalTokens(teamUsage(task));
  const seconds = (task.duration_ms ?? 0) / 1000;
  const reward =
    (success ? 1 : 0) -
    (config.token_weight * tokens) / config.reference_tokens -
    (config.time_weight * seconds) / config.reference_seconds;
  return { status: task.status, success, tokens, seconds, reward };
}
