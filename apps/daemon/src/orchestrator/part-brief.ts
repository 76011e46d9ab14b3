import type { Task } from "@cca/core";
import type { PartBrief } from "@cca/memory";

/** The turn a part's agent is given: the task, the context from the agent of `fromRole`, and a note if it resumes. */
export function partPrompt(part: Task, brief: PartBrief, fromRole: string, note: string | null): string {
  const context = brief.context ? `\n\nContext from the ${fromRole}:\n${brief.context}` : "";
  return `${part.description}${context}${note ? `\n\n${note}` : ""}`;
}

/**
 * When a part must have ended, in epoch ms: its timeout (the delegation's `timeout_s`, else
 * the daemon's default) counts from the delegation, time in line included, or from its
 * resume when it was paused.
 */
export function partDeadline(part: Task, brief: PartBrief, defaultTimeoutMs: number): number {
  return Date.parse(part.resumed_at ?? part.created_at) + (brief.timeoutMs ?? defaultTimeoutMs);
}
