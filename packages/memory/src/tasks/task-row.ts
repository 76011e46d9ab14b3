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
  owner: z.string().nullable(),
  attempts: z.number().int(),
  cancel_requested_at: timestamp.nullable(),
});
export type TaskRow = z.infer<typeof TaskRowSchema>;

/** The wire task inside a row. */
export function taskOfRow(row: TaskRow): Task {
  const { seq: _seq, owner: _owner, attempts: _attempts, cancel_requested_at: _cancel, ...task } = row;
  return task;
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
