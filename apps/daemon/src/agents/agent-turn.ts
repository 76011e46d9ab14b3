import { addUsage, type Clock, type Logger } from "@cca/core";
import type { TurnResult } from "./agent-driver.js";
import type { AgentManagerOptions } from "./agent-manager-options.js";
import { withInbox } from "./inbox.js";
import type { ManagedAgent } from "./managed-agent.js";
import { turnActivity } from "./turn-activity.js";

/**
 * Runs one turn of `taskId` on the agent: its inbox goes in front of the prompt, the turn's
 * events to the activity log, and its tokens, session and completed task onto the record,
 * which `onChange` and a snapshot then get.
 */
export async function runAgentTurn(
  agent: ManagedAgent,
  /** `housekeeping`: a turn of the daemon's own (a compaction), not the task's work. */
  turn: { taskId: string; prompt: string; housekeeping?: boolean },
  deps: Pick<AgentManagerOptions, "activity" | "onChange" | "snapshots" | "reads"> & {
    clock: Clock;
    logger: Logger;
  },
): Promise<TurnResult> {
  // A housekeeping turn is a slash command: the inbox waits for the next real turn.
  const inbox = turn.housekeeping ? [] : agent.inbox.splice(0);
  agent.turn = turnActivity({
    record: agent.record,
    taskId: turn.taskId,
    activity: deps.activity,
    clock: deps.clock,
    logger: deps.logger,
    ...(deps.reads ? { reads: deps.reads } : {}),
  });
  let result: TurnResult;
  try {
    result = await agent.driver.sendTurn(withInbox(turn.prompt, inbox));
  } finally {
    agent.turn = null;
  }
  agent.turns += 1;
  agent.contextTokens = result.contextTokens ?? agent.contextTokens;
  const smallest = result.smallestContextTokens ?? null;
  if (smallest !== null) agent.baseContextTokens = Math.min(agent.baseContextTokens ?? smallest, smallest);
  addUsage(agent.record.usage, result.usage);
  agent.record.session_id = result.sessionId ?? agent.record.session_id;
  if (!result.isError && !turn.housekeeping) agent.record.tasks_completed += 1;
  deps.onChange?.(structuredClone(agent.record));
  deps.snapshots?.saveAfterTurn(structuredClone(agent.record));
  return result;
}
