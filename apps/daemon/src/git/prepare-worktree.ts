import { existsSync, readdirSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type CopiedFiles, copyProjectFiles } from "./copy-files.js";
import { GitError } from "./git-error.js";
import {
  type AgentWorktree,
  agentWorktreePath,
  heldWork,
  inspectWorktree,
  samePath,
  type WorktreeLocation,
  worktreeEntries,
} from "./list-worktrees.js";
import { branchCommit, gitDirectory, resolveCommit } from "./repository.js";
import type { GitRunner } from "./run-git.js";
import { writeWorktreeRecord } from "./worktree-record.js";

/** What an agent's worktree should hold for its next piece of work. */
export interface PrepareWorktreeOptions extends WorktreeLocation {
  agentId: string;
  /** The branch to work on (e.g. `partBranchName(taskId, partId)`, or the task's branch for the Coordinator). */
  branch: string;
  /** The commit a new branch starts from: the project's HEAD when the task was submitted. */
  base: string;
  /** Untracked files to copy from the project (`copy_files`, e.g. [".env"]); missing ones are skipped. */
  copyFiles?: readonly string[];
}

/** An agent's worktree, ready on its branch. */
export interface PreparedWorktree {
  path: string;
  branch: string;
  /** Full id of the commit the branch was made from. */
  base: string;
  /** True when the worktree was made now; false when an existing one was moved to the branch. */
  created: boolean;
  copied: CopiedFiles;
}

/**
 * Makes the agent's worktree `<worktreesDir>/<projectSlug>/<agentId>` ready on `branch`, which
 * is made from `base` unless it exists (then it is checked out as it is: a resumed part keeps its
 * commits). A worktree the agent already has is reused: switched to the new branch in place,
 * which touches only the files that differ (no new checkout). It is never reused while it holds
 * uncommitted changes (or commits on a detached HEAD): that is a GitError `dirty_worktree`
 * naming the worktree and what is in it. Commits on its branch stay there (a part that was
 * not merged keeps its branch).
 *
 * @example
 * const worktree = await prepareAgentWorktree(git, {
 *   projectRoot, projectSlug: "shop", worktreesDir, agentId: "agent_1",
 *   branch: partBranchName(task.id, part.id), base: task.base, copyFiles: [".env"],
 * });
 */
export async function prepareAgentWorktree(
  git: GitRunner,
  options: PrepareWorktreeOptions,
): Promise<PreparedWorktree> {
  const path = agentWorktreePath(options, options.agentId);
  const [, base, entries] = await Promise.all([
    git.run(["check-ref-format", "--branch", options.branch], { cwd: options.projectRoot }),
    resolveCommit(git, options.projectRoot, options.base),
    worktreeEntries(git, options.projectRoot),
  ]);
  const entry = entries.find((known) => samePath(known.path, path));

  let created: boolean;
  let recordedBase = base;
  /** Copies made before that stay in place (the worktree kept its branch). */
  let earlierCopies: string[] = [];
  if (entry !== undefined && existsSync(path)) {
    created = false;
    const [current, branchAt] = await Promise.all([
      inspectWorktree(git, entry),
      branchCommit(git, path, options.branch),
    ]);
    if (current.branch === options.branch) {
      recordedBase = current.base ?? base;
      earlierCopies = current.copiedFiles;
    } else {
      // Unmerged commits stay on their branch when the worktree moves on; uncommitted changes
      // (or commits on a detached HEAD) would not.
      const loses =
        current.state === "uncommitted" || (current.state === "unmerged" && current.branch === null);
      if (loses) throw dirtyWorktreeError(current, "reused for another branch");
      // CCA's copies go first: the new base may track a file of the same name.
      for (const file of current.copiedFiles) await rm(join(path, file), { recursive: true, force: true });
      const exists = branchAt !== undefined;
      await git.run(
        exists ? ["switch", "--quiet", options.branch] : ["switch", "--quiet", "-c", options.branch, base],
        { cwd: path },
      );
    }
  } else {
    created = true;
    if (entry !== undefined) await git.run(["worktree", "prune"], { cwd: options.projectRoot });
    if (existsSync(path) && readdirSync(path).length > 0) {
      throw new GitError(
        "path_taken",
        `${path} exists and is not a worktree of ${options.projectRoot}; remove it or use another agent id`,
        { details: { path } },
      );
    }
    await mkdir(dirname(path), { recursive: true });
    const exists = (await branchCommit(git, options.projectRoot, options.branch)) !== undefined;
    await git.run(
      exists
        ? ["worktree", "add", "--quiet", path, options.branch]
        : ["worktree", "add", "--quiet", "-b", options.branch, path, base],
      { cwd: options.projectRoot },
    );
  }

  const copied = await copyProjectFiles(git, {
    projectRoot: options.projectRoot,
    worktreePath: path,
    files: options.copyFiles ?? [],
  });
  await writeWorktreeRecord(await gitDirectory(git, path), {
    agentId: options.agentId,
    projectSlug: options.projectSlug,
    branch: options.branch,
    base: recordedBase,
    copiedFiles: [...new Set([...earlierCopies, ...copied.copied])],
  });
  return { path, branch: options.branch, base: recordedBase, created, copied };
}

/** A `dirty_worktree` error that says what the worktree holds and what to do about it. */
export function dirtyWorktreeError(worktree: AgentWorktree, refused: string): GitError {
  return new GitError(
    "dirty_worktree",
    `Worktree ${worktree.path} (agent ${worktree.agentId}) cannot be ${refused}: it has ${heldWork(worktree)}; ` +
      "commit and merge that work, or discard it, first",
    {
      details: {
        path: worktree.path,
        branch: worktree.branch ?? undefined,
        files: worktree.uncommittedFiles,
        unmergedCommits: worktree.unmergedCommits,
      },
    },
  );
}

/**
 * Makes sure the agent has its worktree folder, so that its process can start there: an
 * existing worktree is left as it is; otherwise one is made, detached at the project's HEAD
 * (the first piece of work moves it to its branch with `prepareAgentWorktree`). Returns its path.
 */
export async function ensureAgentWorktree(
  git: GitRunner,
  options: WorktreeLocation & { agentId: string },
): Promise<string> {
  const path = agentWorktreePath(options, options.agentId);
  const entries = await worktreeEntries(git, options.projectRoot);
  if (existsSync(path) && entries.some((known) => samePath(known.path, path))) return path;
  if (entries.some((known) => samePath(known.path, path))) {
    await git.run(["worktree", "prune"], { cwd: options.projectRoot });
  }
  if (existsSync(path) && readdirSync(path).length > 0) {
    throw new GitError(
      "path_taken",
      `${path} exists and is not a worktree of ${options.projectRoot}; remove it or use another agent id`,
      { details: { path } },
    );
  }
  await mkdir(dirname(path), { recursive: true });
  await git.run(["worktree", "add", "--quiet", "--detach", path, "HEAD"], { cwd: options.projectRoot });
  return path;
}
