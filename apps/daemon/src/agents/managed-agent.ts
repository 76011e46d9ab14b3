import type { Agent, AgentState } from "@cca/core";
import type { AgentDriver } from "./agent-driver.js";
import type { InboxMessage } from "./inbox.js";
import type { TurnListener } from "./turn-activity.js";

/** What the agent manager keeps about one agent: its record, its process's driver and its timers. */
export interface ManagedAgent {
  record: Agent;
  driver: AgentDriver;
  /** True once the daemon asked it to stop, so its exit is not a crash. */
  stopping: boolean;
  /** True once its process started; an exit before that is its start's failure, not a crash. */
  started: boolean;
  turns: number;
  /** The context its last turn's last request sent (its whole input), when known. */
  contextTokens: number | null;
  /**
   * The smallest context any of its requests sent: about its fixed part (tools, system
   * prompt). What the last one sent beyond it is its conversation, which compaction looks at.
   */
  baseContextTokens: number | null;
  /** Messages from other agents, read at the start of its next turn. */
  inbox: InboxMessage[];
  /** What the running turn's events go to, if a turn runs. */
  turn: TurnListener | null;
  /** Busy with a turn a person typed into its terminal (no task is handed to it meanwhile). */
  typing: boolean;
  /** Kept ready by the warm pool until a task takes it: exempt from the idle timeout. */
  warm: boolean;
  /** When its process crashed and was restarted (clock ms), for the restart budget. */
  restarts: number[];
  /** Waits out the backoff before it is restarted after a crash; cleared by a stop. */
  restartTimer: NodeJS.Timeout | null;
  /** Stops it once it has been idle (ready) for the idle timeout; cleared when it gets work. */
  idleTimer: NodeJS.Timeout | null;
  /** Takes its record out of the list once it has been stopped for the retention period. */
  retentionTimer: NodeJS.Timeout | null;
}

/** The states of an agent that holds a slot (`daemon.max_agents`). */
export const ACTIVE_STATES: ReadonlySet<AgentState> = new Set(["starting", "ready", "busy", "waiting_input"]);
