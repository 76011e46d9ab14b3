import type { TaskRepository } from "@cca/memory";

/** Deeper than any real delegation; guards against a parent cycle in damaged data. */
const MAX_DEPTH = 64;

/** The top-level task that `taskId` belongs to (itself for a top-level task), from the database; null if unknown. */
export async function rootTaskOf(
  tasks: Pick<TaskRepository, "find">,
  taskId: string,
): Promise<string | null> {
  let id = taskId;
  for (let depth = 0; depth < MAX_DEPTH; depth += 1) {
    const task = await tasks.find(id);
    if (!task) return null;
    if (task.parent_id === null) return task.id;
    id = task.parent_id;
  }
  return null;
}
