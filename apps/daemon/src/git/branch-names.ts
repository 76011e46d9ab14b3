import { GitError } from "./git-error.js";

/** The prefix of task branches: `cca/<task id>`. */
export const TASK_BRANCH_PREFIX = "cca/";
/**
 * The prefix of part branches: `cca-parts/<task id>/<part id>`. Not under `cca/`, because git
 * cannot hold both `cca/<task id>` and a branch below it.
 */
export const PART_BRANCH_PREFIX = "cca-parts/";

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/**
 * Checks that `value` (a task, part or agent id, or a project slug) is safe as one component
 * of a branch name and of a folder name, and returns it.
 */
export function assertSafeId(value: string, what: string): string {
  if (!SAFE_ID.test(value) || value.includes("..") || value.endsWith(".lock") || value.endsWith(".")) {
    throw new GitError(
      "invalid_name",
      `${what} ${JSON.stringify(value)} cannot name a branch or folder; use letters, digits, "_", "-" and "."`,
    );
  }
  return value;
}

/** The task's branch, `cca/<task id>`: where its parts are merged and what apply merges. */
export function taskBranchName(taskId: string): string {
  return `${TASK_BRANCH_PREFIX}${assertSafeId(taskId, "Task id")}`;
}

/** A part's branch, `cca-parts/<task id>/<part id>`: the agent's commits for that part. */
export function partBranchName(taskId: string, partId: string): string {
  return `${PART_BRANCH_PREFIX}${assertSafeId(taskId, "Task id")}/${assertSafeId(partId, "Part id")}`;
}

/** Whether `branch` is a task branch (`cca/<task id>`), whose commits are the task's result. */
export function isTaskBranch(branch: string): boolean {
  return branch.startsWith(TASK_BRANCH_PREFIX) && SAFE_ID.test(branch.slice(TASK_BRANCH_PREFIX.length));
}
