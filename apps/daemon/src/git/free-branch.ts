import { samePath, worktreeEntries } from "./list-worktrees.js";
import type { GitRunner } from "./run-git.js";

/**
 * Detaches `branch` from every worktree of the project but `keep` and the user's own (the
 * first): e.g. a task's branch still checked out by the Coordinator of a daemon that died,
 * which git would otherwise refuse to check out again. Detaching keeps that worktree's files
 * and commits as they are; only its HEAD stops following the branch. Returns the paths detached.
 */
export async function freeBranch(
  git: GitRunner,
  options: { projectRoot: string; branch: string; keep: string },
): Promise<string[]> {
  const [, ...others] = await worktreeEntries(git, options.projectRoot);
  const holders = others.filter(
    (entry) => entry.branch === options.branch && !samePath(entry.path, options.keep),
  );
  for (const holder of holders) {
    await git.run(["switch", "--quiet", "--detach"], { cwd: holder.path });
  }
  return holders.map((holder) => holder.path);
}
