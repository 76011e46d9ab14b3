import { type Task, TaskSchema } from "@cca/core";
import { z } from "zod";

const timestamp = z.coerce.date().transform((date) => date.toISOString());

/**
 * A `tasks` row as the database returns it, parsed, never cast: the wire task (with its
 * timestamps read back as Dates) and the columns only the daemons use.
 */
export const TaskRowSchema = TaskSchema.extend({
  seq: z.coerce.number().int(),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  resumed_at: timestamp.nullable(),
  owner: z.string().nullable(),
  attempts: z.number().int(),
  cancel_requested_at: timestamp.nullable(),
  role: z.string().nullable(),
  context: z.string().nullable(),
  timeout_ms: z.number().int().nullable(),
  pinned_agent_id: z.string().nullable(),
  pinned_daemon: z.string().nullable(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

/** What the delegating agent asked of a part, stored so that any daemon can run it. */
export interface PartBrief {
  /** The role of the agent that runs it. */
  role: string;
  /** Context the delegating agent passed on with the task, if any. */
  context: string | null;
  /** How long the part may run, if the delegating agent said; else the daemon's default. */
  timeoutMs: number | null;
  /** The one agent that must run it (a message to that agent); absent or null: any agent of the role. */
  agentId?: string | null;
  /** The daemon whose agent `agentId` is: only it runs the task. */
  daemon?: string | null;
}

/** The wire task inside a row. */
export function taskOfRow(row: TaskRow): Task {
  const {
    seq: _seq,
    owner: _owner,
    attempts: _attempts,
    cancel_requested_at: _cancel,
    role: _role,
    context: _context,
    timeout_ms: _timeout,
    pinned_agent_id: _pinned,
    pinned_daemon: _pinnedDaemon,
    ...task
  } = row;
  return task;
}

/** The brief of a part's row; null for a top-level task. */
export function briefOfRow(row: TaskRow): PartBrief | null {
  if (row.role === null) return null;
  const brief: PartBrief = { role: row.role, context: row.context, timeoutMs: row.timeout_ms };
  return row.pinned_agent_id === null
    ? brief
    : { ...brief, agentId: row.pinned_agent_id, daemon: row.pinned_daemon };
}

const JSON_COLUMNS = new Set(["usage", "error", "workspace", "budget"]);

/** The columns a change to these task fields writes (JSON columns as JSON text). */
export function columnsOfTask(fields: Partial<Task>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    columns[key] = JSON_COLUMNS.has(key) && value !== null ? JSON.stringify(value) : value;
  }
  return columns;
}
