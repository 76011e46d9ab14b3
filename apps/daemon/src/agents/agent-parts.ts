import { type Agent, type AgentDriverKind, emptyUsage } from "@cca/core";

/** Keeps agents' conversations between processes (the database, through AgentRecords). */
export interface ConversationShelf {
  /** Leaves the agent's conversation to be resumed. */
  keep(agentId: string): Promise<void>;
  /** Takes the most recent conversation of `role` in `project` left to resume: the agent's last record. */
  take(role: string, project: string | null): Promise<Agent | undefined>;
}

/** Takes context snapshots of agents (ContextSnapshots) and puts lost transcripts back. */
export interface SnapshotTaker {
  saveAfterTurn(agent: Agent): void;
  save(agent: Agent, reason: "turn_end" | "stop"): Promise<void>;
  restore(agent: Agent): Promise<void>;
}

/**
 * The record of an agent whose process is starting. A resumed conversation keeps its
 * `previous` agent's id, totals and creation time: it is the same agent, restarted.
 */
export function startingRecord(fields: {
  id: string;
  role: string;
  driver: AgentDriverKind;
  sessionId: string;
  workingDir: string;
  project: string | null;
  previous?: Agent;
  now: string;
}): Agent {
  const { previous, now } = fields;
  return {
    id: fields.id,
    role: fields.role,
    state: "starting",
    driver: fields.driver,
    pid: null,
    session_id: fields.sessionId,
    working_dir: fields.workingDir,
    project: fields.project,
    current_task_id: null,
    tasks_completed: previous?.tasks_completed ?? 0,
    usage: previous ? { ...previous.usage } : emptyUsage(),
    last_tool: null,
    last_error: null,
    created_at: previous?.created_at ?? now,
    last_activity_at: now,
  };
}
