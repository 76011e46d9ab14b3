import { CcaError } from "@cca/core";

/** Whether a turn failed because its agent's Claude Code process died. */
export function isCrash(error: unknown): error is CcaError {
  return error instanceof CcaError && error.code === "agent_crashed";
}

/** What the retried turn is told: its earlier attempt died with the process, and some of it may be done. */
export function crashRetryNote(crash: CcaError, sameConversation: boolean): string {
  const where = sameConversation
    ? "it was restarted in this conversation"
    : "this is a new agent, in a new conversation";
  return `(CCA: Claude Code stopped during your earlier attempt at this task (${crash.message}); ${where}. Parts of the task may be done already: check where things stand, then finish it.)`;
}

/** The task's error when the retry crashed too: both crashes, so the reason is plain. */
export function crashedTwiceError(first: CcaError, second: CcaError, agentId: string): CcaError {
  return new CcaError(
    "agent_crashed",
    `Claude Code crashed during the task and again during its one retry, on agent ${agentId}: first ${first.message}; then ${second.message}`,
    { details: { agent_id: agentId, first: first.message, retry: second.message } },
  );
}
