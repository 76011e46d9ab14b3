import type { TaskTree } from "@cca/core";

/** Every task id of a tree: the task and its parts, at any depth. */
export function treeIds(tree: TaskTree): string[] {
  return [tree.id, ...tree.subtasks.flatMap(treeIds)];
}
