import type { ScheduleEntry, Task } from "@cca/core";

/**
 * What the scheduler is told of a stored task: a part is linked to its task; both go in
 * their project's lane. A task pinned to one agent goes in the line of `daemon`, whose agent
 * that is.
 */
export function scheduleEntry(task: Task, daemon?: string | null): ScheduleEntry {
  return {
    taskId: task.id,
    priority: task.priority,
    ...(task.parent_id === null ? {} : { parentId: task.parent_id }),
    ...(task.project === null ? {} : { lane: task.project }),
    ...(daemon ? { daemon } : {}),
  };
}
