import type { Task } from "../domain/schemas.js";
import { hasTaskBranch, type TaskChanges } from "../domain/workspace-schemas.js";
import { CcaError } from "../errors/cca-error.js";
import { type Logger, noopLogger } from "../logger.js";
import type { DaemonClient } from "./daemon-client.js";

/**
 * What a task's branch changed, for an account of the task: read (`changes`), unreadable
 * (`problem`, in words), or null when the task has no branch (a part, a task whose agents
 * shared the folder, one without a project, one still queued).
 */
export type ChangesReading = { changes: TaskChanges } | { problem: string } | null;

/**
 * Reads what the task's branch changed, never failing: an account of the task stands without it.
 *
 * @example
 * const reading = await readTaskChanges(client, task);
 * if (reading && "changes" in reading) logger.info("task changed files", { files: reading.changes.total.files.length });
 */
export async function readTaskChanges(
  client: DaemonClient,
  task: Task,
  logger: Logger = noopLogger,
): Promise<ChangesReading> {
  if (!hasTaskBranch(task)) return null;
  try {
    return { changes: await client.taskChanges(task.id) };
  } catch (error) {
    logger.warn("could not read a task's changes", { task_id: task.id, error: String(error) });
    const reason = error instanceof CcaError ? `[${error.code}] ${error.message}` : String(error);
    return { problem: `could not read its changes (${reason})` };
  }
}
