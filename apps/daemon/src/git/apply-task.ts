import { lstatSync } from "node:fs";
import { join } from "node:path";
import { taskBranchName } from "./branch-names.js";
import { TASK_TRAILER } from "./commit-part.js";
import { type DiffStat, diffStat, type FileChange } from "./diff-stat.js";
import { GitError, listed } from "./git-error.js";
import {
  branchCommit,
  currentBranch,
  isAncestor,
  operationInProgress,
  repositoryRoot,
} from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { parsePorcelainStatus } from "./worktree-status.js";

/** Which task to apply to which project. */
export interface ApplyTaskOptions {
  /** The project's repository: the user's own working tree. */
  projectRoot: string;
  taskId: string;
}

/** What an apply did to the user's branch. */
export interface ApplyResult {
  /** The user's branch the task was merged into. */
  branch: string;
  previousHead: string;
  head: string;
  /** True when the branch only moved forward (no merge commit was needed). */
  fastForward: boolean;
  /** True when the branch held the task's work already: nothing changed. */
  upToDate: boolean;
  /** The files the apply changed, with line counts. */
  changes: DiffStat;
}

const UNMERGED = new Set(["UU", "AA", "DD", "AU", "UA", "DU", "UD"]);

/**
 * Merges the task's branch `cca/<task id>` into the project's current branch, in the user's own
 * working tree, keeping the user's uncommitted changes: a fast-forward when the branch has not
 * moved since the task's base, else a merge commit. It checks everything before it touches
 * anything, and refuses, changing nothing, with a GitError:
 * - `detached_head` / `operation_in_progress`: HEAD is detached, or a merge, rebase, cherry-pick
 *   or revert is under way;
 * - `apply_would_overwrite`: a file the merge would change has uncommitted changes, or an
 *   untracked (even ignored) file is where the merge would write one; `details.files` names them;
 * - `staged_changes`: a merge commit is needed and the index has staged changes (git would
 *   refuse to mix them into the merge);
 * - `merge_conflict`: the merge would conflict (found with `git merge-tree` beforehand, or, on
 *   git before 2.38, by merging and aborting); `details.files` names the files.
 * It never resets, stashes or checks out.
 *
 * @example
 * const applied = await applyTask(git, { projectRoot, taskId });
 * console.log(`${applied.branch} is now at ${applied.head}: ${applied.changes.files.length} files`);
 */
export async function applyTask(git: GitRunner, options: ApplyTaskOptions): Promise<ApplyResult> {
  const cwd = await repositoryRoot(git, options.projectRoot);
  const taskBranch = taskBranchName(options.taskId);
  const branch = await currentBranch(git, cwd);
  if (branch === undefined) {
    throw new GitError(
      "detached_head",
      `HEAD is detached in ${cwd}, so there is no branch to apply ${taskBranch} onto; check out a branch and apply again`,
      { details: { path: cwd } },
    );
  }
  const operation = await operationInProgress(git, cwd);
  const { stdout: statusText } = await git.run(["status", "--porcelain=v1", "-z", "--untracked-files=no"], {
    cwd,
  });
  const status = parsePorcelainStatus(statusText);
  if (operation !== undefined || status.some((entry) => UNMERGED.has(entry.status))) {
    throw new GitError(
      "operation_in_progress",
      `${cwd} is in the middle of a ${operation ?? "merge"}; finish it or abort it (e.g. git ${operation ?? "merge"} --abort), then apply ${taskBranch} again`,
      { details: { path: cwd, operation: operation ?? "merge" } },
    );
  }
  const taskHead = await branchCommit(git, cwd, taskBranch);
  if (taskHead === undefined) {
    throw new GitError("unknown_revision", `Task branch ${taskBranch} does not exist in ${cwd}`, {
      details: { path: cwd, branch: taskBranch },
    });
  }
  const previousHead = (await git.run(["rev-parse", "HEAD"], { cwd })).stdout.trim();
  const none: DiffStat = { files: [], insertions: 0, deletions: 0 };
  if (await isAncestor(git, cwd, taskHead, previousHead)) {
    return { branch, previousHead, head: previousHead, fastForward: false, upToDate: true, changes: none };
  }
  const fastForward = await isAncestor(git, cwd, previousHead, taskHead);

  const outcome = fastForward ? { tree: taskHead, conflicts: [] } : await predictMerge(git, cwd, taskHead);
  if (outcome !== undefined && outcome.conflicts.length > 0)
    throw conflictError(cwd, taskBranch, branch, outcome.conflicts);
  if (!fastForward) {
    const staged = status.filter((entry) => entry.status[0] !== " ").map((entry) => entry.path);
    if (staged.length > 0) {
      throw new GitError(
        "staged_changes",
        `Applying ${taskBranch} to ${branch} needs a merge commit, and git will not make one while changes are ` +
          `staged in ${cwd}: ${listed(staged)}; unstage them (git restore --staged <file> keeps your edits) or ` +
          "commit them, then apply again. Nothing was changed.",
        { details: { path: cwd, files: staged } },
      );
    }
  }
  // Without merge-tree (git < 2.38) the task's own side of the merge is what the check covers.
  const incoming =
    outcome !== undefined
      ? await diffStat(git, cwd, previousHead, outcome.tree)
      : await diffStat(git, cwd, await mergeBase(git, cwd, previousHead, taskHead), taskHead);
  const inTheWay = overwrittenFiles(
    cwd,
    incoming.files,
    new Set(status.flatMap((entry) => [entry.path, entry.fromPath ?? entry.path])),
  );
  if (inTheWay.length > 0) throw overwriteError(cwd, taskBranch, inTheWay);

  await merge(git, { cwd, taskBranch, branch, taskId: options.taskId });
  const head = (await git.run(["rev-parse", "HEAD"], { cwd })).stdout.trim();
  return {
    branch,
    previousHead,
    head,
    fastForward,
    upToDate: false,
    changes: await diffStat(git, cwd, previousHead, head),
  };
}

/** The tree a merge of `taskHead` into HEAD would make and its conflicting files; undefined when git cannot tell. */
async function predictMerge(
  git: GitRunner,
  cwd: string,
  taskHead: string,
): Promise<{ tree: string; conflicts: string[] } | undefined> {
  const { stdout, exitCode } = await git.run(
    ["merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", "HEAD", taskHead],
    { cwd, okExitCodes: [0, 1, 128, 129] },
  );
  if (exitCode !== 0 && exitCode !== 1) return undefined;
  const [tree = "", ...conflicts] = stdout.split("\0").filter(Boolean);
  return { tree, conflicts: [...new Set(conflicts)] };
}

async function mergeBase(git: GitRunner, cwd: string, left: string, right: string): Promise<string> {
  return (await git.run(["merge-base", left, right], { cwd })).stdout.trim();
}

/**
 * The paths the incoming changes would overwrite: tracked files with uncommitted changes that
 * the merge changes, and files (tracked or not, ignored or not) sitting where it adds one.
 */
function overwrittenFiles(cwd: string, incoming: FileChange[], dirty: Set<string>): string[] {
  const found = new Set<string>();
  for (const change of incoming) {
    for (const path of [change.path, change.fromPath]) {
      if (path !== undefined && dirty.has(path)) found.add(path);
    }
    const adds = change.kind === "added" || change.kind === "renamed" || change.kind === "copied";
    if (adds && !dirty.has(change.path)) {
      const blocker = pathInTheWay(cwd, change.path);
      if (blocker !== undefined) found.add(blocker);
    }
  }
  return [...found].sort();
}

/** What on disk keeps `path` from being written: the path itself, or a file where a parent folder should be. */
function pathInTheWay(cwd: string, path: string): string | undefined {
  const parts = path.split("/");
  for (let depth = 1; depth <= parts.length; depth += 1) {
    const prefix = parts.slice(0, depth).join("/");
    let isFolder: boolean;
    try {
      isFolder = lstatSync(join(cwd, prefix)).isDirectory();
    } catch {
      return undefined;
    }
    if (depth === parts.length || !isFolder) return prefix;
  }
  return undefined;
}

async function merge(
  git: GitRunner,
  options: { cwd: string; taskBranch: string; branch: string; taskId: string },
): Promise<void> {
  const { cwd, taskBranch, branch } = options;
  const message = `Apply CCA task ${options.taskId} (${taskBranch})\n\n${TASK_TRAILER}: ${options.taskId}`;
  const env = await identityUnlessConfigured(git, cwd);
  const args = ["-c", "merge.conflictStyle=merge", "-c", "rerere.enabled=false"];
  args.push("merge", "--ff", "--no-edit", "--no-verify", "--quiet", "-m", message, taskBranch);
  try {
    await git.run(args, { cwd, env });
  } catch (error) {
    if ((await operationInProgress(git, cwd)) === "merge") {
      const { stdout } = await git.run(["diff", "--name-only", "-z", "--diff-filter=U"], { cwd });
      await git.run(["merge", "--abort"], { cwd });
      throw conflictError(cwd, taskBranch, branch, stdout.split("\0").filter(Boolean), error);
    }
    const stderr = error instanceof GitError ? (error.details.stderr ?? "") : "";
    if (/would be overwritten/.test(stderr)) {
      const files = stderr
        .split("\n")
        .filter((line) => /^\s/.test(line))
        .map((line) => line.trim());
      throw overwriteError(cwd, taskBranch, files, error);
    }
    throw error;
  }
}

/** The user's git identity commits the merge; only where git has none, `CCA` does. */
async function identityUnlessConfigured(git: GitRunner, cwd: string): Promise<Record<string, string>> {
  const configured = async (key: string) =>
    (await git.run(["config", "--get", key], { cwd, okExitCodes: [0, 1] })).exitCode === 0;
  if ((await configured("user.name")) && (await configured("user.email"))) return {};
  return {
    GIT_AUTHOR_NAME: "CCA",
    GIT_AUTHOR_EMAIL: "cca@cca.local",
    GIT_COMMITTER_NAME: "CCA",
    GIT_COMMITTER_EMAIL: "cca@cca.local",
  };
}

function conflictError(
  cwd: string,
  taskBranch: string,
  branch: string,
  files: string[],
  cause?: unknown,
): GitError {
  return new GitError(
    "merge_conflict",
    `${taskBranch} conflicts with ${branch} in ${cwd} in ${listed(files)}; nothing was changed. ` +
      `Have the task's branch brought up to date with ${branch}, or merge ${taskBranch} yourself.`,
    { cause, details: { path: cwd, branch, files } },
  );
}

function overwriteError(cwd: string, taskBranch: string, files: string[], cause?: unknown): GitError {
  return new GitError(
    "apply_would_overwrite",
    `Applying ${taskBranch} in ${cwd} would overwrite your uncommitted or untracked ${listed(files)}; ` +
      "commit, move or discard them, then apply again. Nothing was changed.",
    { cause, details: { path: cwd, files } },
  );
}
