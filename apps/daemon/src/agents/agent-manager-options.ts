import type { Agent, Clock, Config, Logger } from "@cca/core";
import type { ContextReadRepository, TokenUsageRepository } from "@cca/memory";
import type { ActivityLog } from "../activity/activity-log.js";
import type { AgentDriverFactory, ApiRetry } from "./agent-driver.js";
import type { ConversationShelf, SnapshotTaker } from "./agent-parts.js";
import type { AgentMcp } from "./launch-args.js";
import type { RssReader } from "./process-memory.js";
import type { RoleCatalog } from "./role-catalog.js";

/** What an AgentManager is built from: its `[agents]` config, its collaborators and limits. */
export interface AgentManagerOptions {
  /** `[agents]`: among others the restart budget (`restart_*`) and the warm pool (`warm`). */
  config: Config["agents"];
  /** Makes each agent's driver (e.g. `createDriverFactory`); the manager knows agents only through it. */
  createDriver: AgentDriverFactory;
  /** How long an agent may stay idle before it stops, keeping its conversation; 0: forever. Default `agents.idle_timeout_s`. */
  idleTimeoutMs?: number;
  /** How long a stopped or failed agent stays in `list()`. Default `agents.stopped_retention_s`. */
  stoppedRetentionMs?: number;
  /** Reads a live agent's resident memory for `list()`; default: its process tree's, from /proc. */
  rss?: RssReader;
  maxAgents: number;
  /** How long a stopping agent gets before SIGTERM, and again before SIGKILL. */
  stopGraceMs: number;
  catalog: RoleCatalog;
  activity: ActivityLog;
  /** Default working directory root when `agents.working_dir` is empty. */
  workRoot: string;
  /**
   * The folder an agent of `project` works in (its own git worktree, made if missing), or
   * null for the project folder itself; asked each time its process starts.
   */
  workingDirFor?: (agentId: string, project: string | null) => Promise<string | null>;
  /** The MCP servers and tools CCA gives an agent process (its bridge to the daemon), if any; released when it exits. */
  mcpFor?: (agentId: string, role: string) => AgentMcp | undefined;
  /** Told of every change to an agent's record (state, task, tokens), e.g. to store it. */
  onChange?: (agent: Agent) => void;
  /** Told when an agent's Claude Code retries a failed API call (the turn limiter hears of rate limits so). */
  onApiRetry?: (retry: ApiRetry, agent: Agent) => void;
  /**
   * Where conversations wait to be resumed: an agent that stops (evicted, crashed, or
   * shut down) after a turn leaves its session there; the next agent of its role takes it up.
   */
  conversations?: ConversationShelf;
  /** Context snapshots, taken at each turn end and stop, and used to put back a lost transcript. */
  snapshots?: SnapshotTaker;
  /** Where the files agents read during tasks are noted, for the redundancy report. */
  reads?: Pick<ContextReadRepository, "record">;
  /** Where the tokens of a turn a person typed into an agent are recorded (a task's turns are the orchestrator's). */
  tokens?: Pick<TokenUsageRepository, "record">;
  /** Times the restart budget's window; the backoff waits are real timers. */
  clock?: Clock;
  logger?: Logger;
}
