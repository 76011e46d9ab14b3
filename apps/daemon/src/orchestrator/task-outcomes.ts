import { CcaError, type ErrorInfo, emptyUsage, type Task } from "@cca/core";
import type { TurnResult } from "../agents/agent-driver.js";

/** The fields that put a task back to queued, as if it had never started. */
export const REQUEUED: Partial<Task> = {
  status: "queued",
  agent_id: null,
  session_id: null,
  result: null,
  error: null,
  usage: emptyUsage(),
  num_turns: null,
  started_at: null,
  finished_at: null,
  duration_ms: null,
  agent_duration_ms: null,
};

export function turnError(turn: TurnResult): ErrorInfo {
  if (turn.apiErrorStatus === 429 || turn.apiErrorStatus === 529) {
    const why = turn.apiErrorStatus === 429 ? "rate limited" : "overloaded";
    return {
      code: "rate_limited",
      message: `The Anthropic API answered HTTP ${turn.apiErrorStatus} (${why}) to every try, Claude Code's own retries and CCA's ([rate_limits] turn_retries): ${turn.text || turn.subtype}`,
    };
  }
  if (turn.apiErrorStatus !== null) {
    return {
      code: "api_error",
      message: `The Anthropic API answered HTTP ${turn.apiErrorStatus}: ${turn.text || turn.subtype}`,
    };
  }
  const denied =
    turn.permissionDenials.length > 0 ? ` (denied tools: ${turn.permissionDenials.join(", ")})` : "";
  return {
    code: "turn_failed",
    message: `${turn.text || `Claude Code ended the turn with ${turn.subtype}`}${denied}`,
  };
}

/** How a running task is being ended from outside, if it is. */
export type StopReason = "cancel" | "timeout" | "shutdown" | "parent_ended";

/** The status a task stopped for `reason` ends with. */
export function stopStatus(reason: StopReason): "cancelled" | "failed" | "interrupted" {
  if (reason === "cancel" || reason === "parent_ended") return "cancelled";
  return reason === "shutdown" ? "interrupted" : "failed";
}

/** The error a task ends with when it is stopped from outside. */
export function stopError(reason: StopReason, timeoutMs: number): CcaError {
  switch (reason) {
    case "cancel":
      return new CcaError("task_cancelled", "Cancelled while running; the agent's turn was interrupted");
    case "timeout":
      return new CcaError(
        "timeout",
        `The task ran longer than ${Math.round(timeoutMs / 1000)} s (agents.default_timeout_seconds, or the delegation's timeout_s) and was interrupted`,
      );
    case "shutdown":
      return new CcaError("interrupted", "The daemon shut down while the task was running");
    case "parent_ended":
      return new CcaError("task_cancelled", "Its parent task ended before it did");
  }
}

/** The error a task ends with when it is stopped before it started. */
export function stopBeforeStartError(reason: StopReason): CcaError {
  switch (reason) {
    case "cancel":
      return new CcaError("task_cancelled", "Cancelled before it started");
    case "timeout":
      return new CcaError("timeout", "It waited in line for longer than its timeout");
    case "shutdown":
      return new CcaError("interrupted", "The daemon shut down before it started");
    case "parent_ended":
      return new CcaError("task_cancelled", "Its parent task ended before it started");
  }
}
