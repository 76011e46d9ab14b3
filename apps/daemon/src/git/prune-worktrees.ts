import { type AgentWorktree, heldWork, listAgentWorktrees, type WorktreeLocation } from "./list-worktrees.js";
import type { GitRunner } from "./run-git.js";

/** What `pruneAgentWorktrees` removed and what it kept, with why. */
export interface PruneReport {
  /** Clean worktrees removed, and ones whose folder was already gone (forgotten by git). */
  removed: AgentWorktree[];
  kept: { worktree: AgentWorktree; reason: string }[];
}

/**
 * Removes the project's clean agent worktrees (their folders, copied files and all) and lets
 * git forget those whose folder is gone. Worktrees with uncommitted changes or unmerged
 * commits are kept, each with the reason, and so are those of `keepAgents` (agents whose
 * processes run there). Branches are never deleted: a part's or task's
 * commits stay on its branch.
 */
export async function pruneAgentWorktrees(
  git: GitRunner,
  location: WorktreeLocation,
  options: { keepAgents?: ReadonlySet<string> } = {},
): Promise<PruneReport> {
  const report: PruneReport = { removed: [], kept: [] };
  let missing = false;
  for (const worktree of await listAgentWorktrees(git, location)) {
    if (worktree.state !== "missing" && options.keepAgents?.has(worktree.agentId)) {
      report.kept.push({ worktree, reason: `its agent ${worktree.agentId} is running in it` });
    } else if (worktree.state === "missing") {
      missing = true;
      report.removed.push(worktree);
    } else if (worktree.state === "clean") {
      // --force: the copied `copy_files` are untracked, and were checked to be CCA's own copies.
      await git.run(["worktree", "remove", "--force", worktree.path], { cwd: location.projectRoot });
      report.removed.push(worktree);
    } else {
      report.kept.push({ worktree, reason: heldWork(worktree) });
    }
  }
  if (missing) await git.run(["worktree", "prune"], { cwd: location.projectRoot });
  return report;
}
