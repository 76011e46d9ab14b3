import { taskBranchName } from "./branch-names.js";
import { type DiffStat, diffStat } from "./diff-stat.js";
import { GitError } from "./git-error.js";
import { branchCommit, resolveCommit } from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { PART_BRANCH_TRAILER } from "./task-branch.js";

/** Which task's branch, against which base. */
export interface TaskChangesOptions {
  projectRoot: string;
  taskId: string;
  /** The task's base: the commit its branch was made from. */
  base: string;
}

/** What one merged part brought into the task's branch. */
export interface PartChanges {
  /** The part's branch, from its merge commit's `CCA-Part-Branch:` trailer. */
  branch: string;
  mergeCommit: string;
  stat: DiffStat;
}

/** What a task changed: per merged part and in total. */
export interface TaskChanges {
  branch: string;
  base: string;
  head: string;
  /** In the order they were merged. */
  parts: PartChanges[];
  /** The task's branch against its base (parts, fixes and all). */
  total: DiffStat;
}

/**
 * The files the task's branch changed against its base, with a diffstat per merged part (the
 * change each part's merge commit made to the branch) and in total.
 *
 * @example
 * const changes = await taskChanges(git, { projectRoot, taskId, base });
 * console.log(changes.total.files.length, "files,", changes.total.insertions, "insertions");
 */
export async function taskChanges(git: GitRunner, options: TaskChangesOptions): Promise<TaskChanges> {
  const { branch, base, head } = await taskRange(git, options);
  const cwd = options.projectRoot;
  const { stdout } = await git.run(
    [
      "log",
      "--first-parent",
      "--merges",
      "--reverse",
      `--format=%H%x1f%(trailers:key=${PART_BRANCH_TRAILER},valueonly)%x1e`,
      `${base}..${head}`,
    ],
    { cwd },
  );
  const merges = stdout
    .split("\x1e")
    .map((record) => record.trim().split("\x1f"))
    .filter(([commit, partBranch]) => commit && partBranch?.trim())
    .map(([commit, partBranch]) => ({ commit: commit!, branch: partBranch!.trim().split("\n")[0]! }));
  const [total, ...stats] = await Promise.all([
    diffStat(git, cwd, base, head),
    ...merges.map((merge) => diffStat(git, cwd, `${merge.commit}^1`, merge.commit)),
  ]);
  return {
    branch,
    base,
    head,
    parts: merges.map((merge, index) => ({
      branch: merge.branch,
      mergeCommit: merge.commit,
      stat: stats[index]!,
    })),
    total: total!,
  };
}

/** The full diff (patch text) of the task's branch against its base. */
export async function taskDiff(git: GitRunner, options: TaskChangesOptions): Promise<string> {
  const { base, head } = await taskRange(git, options);
  const { stdout } = await git.run(
    ["diff", "--no-ext-diff", "--no-textconv", "--no-color", "-M", "--end-of-options", base, head],
    { cwd: options.projectRoot },
  );
  return stdout;
}

async function taskRange(
  git: GitRunner,
  options: TaskChangesOptions,
): Promise<{ branch: string; base: string; head: string }> {
  const branch = taskBranchName(options.taskId);
  const head = await branchCommit(git, options.projectRoot, branch);
  if (head === undefined) {
    throw new GitError("unknown_revision", `Task branch ${branch} does not exist in ${options.projectRoot}`, {
      details: { path: options.projectRoot, branch },
    });
  }
  return { branch, base: await resolveCommit(git, options.projectRoot, options.base), head };
}
