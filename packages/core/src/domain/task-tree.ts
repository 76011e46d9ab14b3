import { addUsage, emptyUsage, type Task, type TaskTree } from "./schemas.js";

/** The task with its subtasks, recursively; `total_usage` adds up each subtree. */
export function buildTaskTree(task: Task, children: (parentId: string) => Task[]): TaskTree {
  const subtasks = children(task.id).map((child) => buildTaskTree(child, children));
  const total = addUsage(emptyUsage(), task.usage);
  for (const subtask of subtasks) addUsage(total, subtask.total_usage);
  return { ...task, subtasks, total_usage: total };
}
