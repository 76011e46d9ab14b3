import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { GitError } from "./git-error.js";
import type { GitRunner } from "./run-git.js";

/** The root of the repository or worktree that holds `path`; a GitError `not_a_repository` otherwise. */
export async function repositoryRoot(git: GitRunner, path: string): Promise<string> {
  const { stdout } = await git.run(["rev-parse", "--show-toplevel"], { cwd: path });
  return stdout.trim();
}

/** The absolute git directory of the repository or worktree at `cwd` (a worktree's own, under the common one). */
export async function gitDirectory(git: GitRunner, cwd: string): Promise<string> {
  const { stdout } = await git.run(["rev-parse", "--absolute-git-dir"], { cwd });
  return stdout.trim();
}

/** The full id of the commit `revision` names in the repository at `cwd`; `unknown_revision` if none. */
export async function resolveCommit(git: GitRunner, cwd: string, revision: string): Promise<string> {
  const { stdout, exitCode } = await git.run(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`],
    { cwd, okExitCodes: [0, 1] },
  );
  if (exitCode !== 0) {
    throw new GitError("unknown_revision", `${JSON.stringify(revision)} names no commit in ${cwd}`, {
      details: { path: cwd },
    });
  }
  return stdout.trim();
}

/** The commit local branch `branch` points at, or undefined when there is no such branch. */
export async function branchCommit(git: GitRunner, cwd: string, branch: string): Promise<string | undefined> {
  const { stdout, exitCode } = await git.run(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], {
    cwd,
    okExitCodes: [0, 1],
  });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** The branch checked out at `cwd`, or undefined when HEAD is detached. */
export async function currentBranch(git: GitRunner, cwd: string): Promise<string | undefined> {
  const { stdout, exitCode } = await git.run(["symbolic-ref", "--quiet", "--short", "HEAD"], {
    cwd,
    okExitCodes: [0, 1],
  });
  return exitCode === 0 ? stdout.trim() : undefined;
}

/** Whether commit `ancestor` is `descendant` or one of its ancestors. */
export async function isAncestor(
  git: GitRunner,
  cwd: string,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  const { exitCode } = await git.run(["merge-base", "--is-ancestor", ancestor, descendant], {
    cwd,
    okExitCodes: [0, 1],
  });
  return exitCode === 0;
}

/** An operation that a repository can be in the middle of. */
export type OperationInProgress = "merge" | "rebase" | "cherry-pick" | "revert";

const OPERATION_MARKERS: [string, OperationInProgress][] = [
  ["MERGE_HEAD", "merge"],
  ["rebase-merge", "rebase"],
  ["rebase-apply", "rebase"],
  ["CHERRY_PICK_HEAD", "cherry-pick"],
  ["REVERT_HEAD", "revert"],
];

/** The merge, rebase, cherry-pick or revert that the repository or worktree at `cwd` is in the middle of, if any. */
export async function operationInProgress(
  git: GitRunner,
  cwd: string,
): Promise<OperationInProgress | undefined> {
  const { stdout } = await git.run(
    ["rev-parse", ...OPERATION_MARKERS.flatMap(([marker]) => ["--git-path", marker])],
    { cwd },
  );
  const paths = stdout.split("\n");
  for (const [index, [, operation]] of OPERATION_MARKERS.entries()) {
    const path = paths[index];
    if (path && existsSync(resolve(cwd, path))) return operation;
  }
  return undefined;
}
