import { formatGroupedCount, type Logger, type Task, totalTokens } from "@cca/core";
import type { ActivityLog } from "../activity/activity-log.js";
import { oneLine } from "../activity/one-line.js";
import type { TurnResult } from "../agents/agent-driver.js";
import type { AgentManager } from "../agents/agent-manager.js";
import type { TurnLimiter } from "./turn-limiter.js";

/** What Claude Code's `/compact` is told to keep of a long-lived agent's conversation. */
export const COMPACT_INSTRUCTIONS =
  "Keep what later tasks may build on: each earlier task's goal and outcome, the decisions made and why, names, values and facts that were given or found (ids, paths, keys, numbers, exactly as written), the files touched, and what is still open. Drop tool output and the steps that led nowhere.";

interface CompactionOptions {
  agents: Pick<AgentManager, "compactIfOver">;
  limiter: TurnLimiter;
  /** Null: never compact. */
  aboveTokens: number | null;
  activity?: ActivityLog;
  logger: Logger;
}

/**
 * Compacts a long-lived agent's conversation before a task's turn, once its context has
 * grown past `aboveTokens` (see AgentManager.compactIfOver). The compaction calls the API,
 * so it waits its turn under the rate limit; an `agent.compacted` event says how it went.
 */
export class Compaction {
  readonly #options: CompactionOptions;

  constructor(options: CompactionOptions) {
    this.#options = options;
  }

  /**
   * Compacts the conversation of agent `agentId`, reserved for `task`, if it needs it:
   * resolves with the compaction's turn (its tokens are the task's), or null when none ran.
   * A compaction that fails (or a stop, through `signal`) costs the task nothing but the try.
   */
  async before(
    task: Task,
    role: string,
    agentId: string,
    ancestors: readonly string[],
    signal: AbortSignal,
  ): Promise<TurnResult | null> {
    const { aboveTokens, agents, limiter } = this.#options;
    if (aboveTokens === null) return null;
    try {
      const release = await limiter.acquire(task.id, ancestors, signal);
      let turn: TurnResult | null;
      try {
        turn = await agents.compactIfOver(agentId, task.id, aboveTokens, COMPACT_INSTRUCTIONS);
      } finally {
        release();
      }
      if (turn) this.#tell(task, role, agentId, turn);
      return turn;
    } catch (error) {
      if (!signal.aborted) {
        this.#options.logger.warn("could not compact an agent's conversation; the task goes on without", {
          task: task.id,
          agent: agentId,
          error: String(error),
        });
      }
      return null;
    }
  }

  #tell(task: Task, role: string, agentId: string, turn: TurnResult): void {
    const spent = formatGroupedCount(totalTokens(turn.usage));
    this.#options.activity?.record("agent.compacted", {
      task_id: task.id,
      agent_id: agentId,
      summary: turn.compacted
        ? `${role}: conversation compacted before its next task, context ${formatGroupedCount(turn.compacted.preTokens)} → ${formatGroupedCount(turn.compacted.postTokens)} tokens (${spent} tokens to compact)`
        : `${role}: its conversation could not be compacted (${oneLine(turn.text, 120) || turn.subtype}); it goes on as it is`,
    });
  }
}
