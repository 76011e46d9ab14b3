import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { taskBranchName } from "./branch-names.js";
import { ccaIdentity, TASK_TRAILER } from "./commit-part.js";
import { GitError, listed } from "./git-error.js";
import { collectMergeConflicts, type MergeConflict } from "./merge-conflicts.js";
import {
  branchCommit,
  currentBranch,
  gitDirectory,
  isAncestor,
  operationInProgress,
  resolveCommit,
} from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { readWorktreeRecord } from "./worktree-record.js";
import { uncommittedChanges } from "./worktree-status.js";

/** The trailer of a part's merge commit that names the part's branch (what `taskChanges` reads). */
export const PART_BRANCH_TRAILER = "CCA-Part-Branch";

/** The task's branch, made (or found) at its base. */
export interface TaskBranch {
  branch: string;
  /** Full id of the commit the branch was made from. */
  base: string;
  /** False when the branch was there already (a resumed task). */
  created: boolean;
}

/**
 * Makes the task's branch `cca/<task id>` at `base` (the project's HEAD when the task was
 * submitted), in the project's repository; the user's working tree is not touched. A branch
 * that exists at `base` or ahead of it (a resumed task) is kept as it is; one elsewhere is a
 * GitError `branch_exists`.
 */
export async function createTaskBranch(
  git: GitRunner,
  options: { projectRoot: string; taskId: string; base: string },
): Promise<TaskBranch> {
  const branch = taskBranchName(options.taskId);
  const cwd = options.projectRoot;
  const base = await resolveCommit(git, cwd, options.base);
  const existing = await branchCommit(git, cwd, branch);
  if (existing !== undefined) {
    if (await isAncestor(git, cwd, base, existing)) return { branch, base, created: false };
    throw new GitError(
      "branch_exists",
      `Branch ${branch} exists in ${cwd} at ${existing.slice(0, 12)}, which does not descend from the task's base ` +
        `${base.slice(0, 12)}; delete or rename it (git branch -m ${branch} <new name>) to run the task again`,
      { details: { path: cwd, branch } },
    );
  }
  await git.run(["branch", "--no-track", branch, base], { cwd });
  return { branch, base, created: true };
}

/** What to merge: a part's branch into the task's branch, checked out in the Coordinator's worktree. */
export interface MergePartOptions {
  /** A worktree on the task's branch (the Coordinator's), never the user's. */
  worktreePath: string;
  taskId: string;
  partBranch: string;
  /** A line about the part for the merge commit (its description). */
  summary?: string;
  /** Whose merge it is: the commit's author is `CCA <role>`; default "coordinator". */
  role?: string;
}

/** A part merged (or there already), or the conflicts that stopped it. */
export type MergePartResult =
  | { merged: true; commit: string | null; alreadyMerged: boolean; files: string[] }
  | { merged: false; conflict: MergeConflict };

/**
 * Merges a part's branch into the task's branch, in a worktree of the task's branch, always
 * with a merge commit (`--no-ff`) that names the part's branch in a `CCA-Part-Branch:` trailer.
 * On a conflict the merge is aborted, leaving the task's branch and the worktree as they were,
 * and the result names the conflicting files with their conflict hunks, so that the
 * Coordinator can delegate the fix. A branch merged already is reported as such.
 *
 * @example
 * const result = await mergePart(git, { worktreePath: coordinatorWorktree, taskId, partBranch });
 * if (!result.merged) delegateFix(result.conflict.files);
 */
export async function mergePart(git: GitRunner, options: MergePartOptions): Promise<MergePartResult> {
  const cwd = options.worktreePath;
  const taskBranch = taskBranchName(options.taskId);
  const gitDir = await checkMergeable(git, cwd, taskBranch);
  const partCommit = await branchCommit(git, cwd, options.partBranch);
  if (partCommit === undefined) {
    throw new GitError("unknown_revision", `Part branch ${options.partBranch} does not exist`, {
      details: { path: cwd, branch: options.partBranch },
    });
  }
  if (await isAncestor(git, cwd, partCommit, "HEAD")) {
    return { merged: true, commit: null, alreadyMerged: true, files: [] };
  }

  const messageFile = join(gitDir, "CCA_MERGE_MSG");
  const summary = options.summary?.trim();
  await writeFile(
    messageFile,
    `Merge part ${options.partBranch} into ${taskBranch}\n\n${summary ? `${summary}\n\n` : ""}` +
      `${TASK_TRAILER}: ${options.taskId}\n${PART_BRANCH_TRAILER}: ${options.partBranch}\n`,
  );
  let exitCode: number;
  try {
    ({ exitCode } = await git.run(
      [
        ...["-c", "commit.gpgsign=false", "-c", "merge.conflictStyle=merge", "-c", "rerere.enabled=false"],
        ...["merge", "--no-ff", "--no-edit", "--no-verify", "--quiet", "--cleanup=whitespace"],
        ...["--file", messageFile, options.partBranch],
      ],
      { cwd, env: ccaIdentity(options.role ?? "coordinator"), okExitCodes: [0, 1] },
    ));
  } catch (error) {
    await abortMerge(git, cwd);
    throw error;
  } finally {
    await rm(messageFile, { force: true });
  }
  if (exitCode !== 0) {
    if ((await operationInProgress(git, cwd)) !== "merge") {
      throw new GitError("git_failed", `Merging ${options.partBranch} into ${taskBranch} in ${cwd} failed`, {
        details: { path: cwd, branch: options.partBranch, exitCode },
      });
    }
    const conflict = await collectMergeConflicts(git, cwd);
    await abortMerge(git, cwd);
    return { merged: false, conflict };
  }
  const { stdout: head } = await git.run(["rev-parse", "HEAD"], { cwd });
  const { stdout: names } = await git.run(["diff", "--name-only", "-z", "HEAD^1", "HEAD"], { cwd });
  return {
    merged: true,
    commit: head.trim(),
    alreadyMerged: false,
    files: names.split("\0").filter(Boolean),
  };
}

/** Checks that `cwd` is a clean worktree on the task's branch; returns its git directory. */
async function checkMergeable(git: GitRunner, cwd: string, taskBranch: string): Promise<string> {
  const [branch, operation, gitDir] = await Promise.all([
    currentBranch(git, cwd),
    operationInProgress(git, cwd),
    gitDirectory(git, cwd),
  ]);
  if (branch !== taskBranch) {
    throw new GitError(
      "wrong_branch",
      `${cwd} is on ${branch ?? "a detached HEAD"}, not on the task's branch ${taskBranch}; ` +
        "merge parts in a worktree of the task's branch",
      { details: { path: cwd, branch: branch ?? undefined } },
    );
  }
  const record = await readWorktreeRecord(gitDir);
  const changes = await uncommittedChanges(git, cwd, record?.copiedFiles ?? []);
  if (operation !== undefined || changes.length > 0) {
    const files = changes.map((change) => change.path);
    const what =
      operation !== undefined ? `a ${operation} in progress` : `uncommitted changes in ${listed(files)}`;
    throw new GitError(
      "dirty_worktree",
      `Cannot merge into ${taskBranch} in ${cwd}: it has ${what}; commit or discard them first`,
      { details: { path: cwd, branch: taskBranch, files } },
    );
  }
  return gitDir;
}

async function abortMerge(git: GitRunner, cwd: string): Promise<void> {
  if ((await operationInProgress(git, cwd)) === "merge") {
    await git.run(["merge", "--abort"], { cwd });
  }
}
