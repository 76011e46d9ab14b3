import type { ApplyResult } from "../git/index.js";

/** What applying a task's branch did, in words, for `task.workspace.applied`. */
export function appliedNote(result: ApplyResult): string {
  if (result.upToDate) return `${result.branch} already had this task's changes`;
  const how = result.fastForward ? "fast-forward" : "merge commit";
  return `applied to ${result.branch} (${how} ${result.head.slice(0, 12)}; ${result.changes.files.length} files)`;
}
