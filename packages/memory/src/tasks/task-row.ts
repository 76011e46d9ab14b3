import {
  ErrorInfoSchema,
  type Task,
  TaskPrioritySchema,
  TaskStatusSchema,
  TokenUsageSchema,
} from "@cca/core";
import { z } from "zod";

const timestamp = z.coerce.date().transform((date) => date.toISOString());

/** A `tasks` row as the database returns it, parsed; never cast. */
export const TaskRowSchema = z.object({
  id: z.string(),
  seq: z.coerce.number().int(),
  parent_id: z.string().nullable(),
  project: z.string().nullable(),
  description: z.string(),
  priority: TaskPrioritySchema,
  status: TaskStatusSchema,
  agent_id: z.string().nullable(),
  session_id: z.string().nullable(),
  result: z.string().nullable(),
  error: ErrorInfoSchema.nullable(),
  usage: TokenUsageSchema,
  num_turns: z.number().int().nullable(),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  duration_ms: z.number().nullable(),
  agent_duration_ms: z.number().nullable(),
  owner: z.string().nullable(),
  attempts: z.number().int(),
  cancel_requested_at: timestamp.nullable(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

/** The wire task inside a row. */
export function taskOfRow(row: TaskRow): Task {
  return {
    id: row.id,
    description: row.description,
    priority: row.priority,
    status: row.status,
    parent_id: row.parent_id,
    project: row.project,
    agent_id: row.agent_id,
    session_id: row.session_id,
    result: row.result,
    error: row.error,
    usage: row.usage,
    num_turns: row.num_turns,
    created_at: row.created_at,
    started_at: row.started_at,
    finished_at: row.finished_at,
    duration_ms: row.duration_ms,
    agent_duration_ms: row.agent_duration_ms,
  };
}

/** The columns a change to these task fields writes (JSON columns as JSON text). */
export function columnsOfTask(fields: Partial<Task>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    columns[key] = (key === "usage" || key === "error") && value !== null ? JSON.stringify(value) : value;
  }
  return columns;
}
