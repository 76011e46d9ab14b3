import { partBranchName } from "../branch-names.js";
import { commitPart } from "../commit-part.js";
import { prepareAgentWorktree } from "../prepare-worktree.js";
import { createTaskBranch } from "../task-branch.js";
import type { ScratchRepository } from "./scratch-repository.js";

/** A task in a scratch repository: its branch, the Coordinator's worktree on it, and a way to do parts. */
export interface ScratchTask {
  taskId: string;
  base: string;
  coordinatorPath: string;
  /** Makes a part's worktree for `agentId`, lets `edit` change it, commits; returns the part's branch. */
  doPart(agentId: string, partId: string, edit: (path: string) => void): Promise<string>;
}

/** Starts task `taskId` at the repository's HEAD, with a Coordinator worktree on `cca/<taskId>`. */
export async function startScratchTask(
  repository: ScratchRepository,
  taskId = "task_1",
): Promise<ScratchTask> {
  const git = repository.git;
  const location = {
    projectRoot: repository.root,
    projectSlug: repository.projectSlug,
    worktreesDir: repository.worktreesDir,
  };
  const { branch, base } = await createTaskBranch(git, {
    projectRoot: repository.root,
    taskId,
    base: "HEAD",
  });
  const coordinator = await prepareAgentWorktree(git, { ...location, agentId: "coordinator", branch, base });
  return {
    taskId,
    base,
    coordinatorPath: coordinator.path,
    async doPart(agentId, partId, edit) {
      const partBranch = partBranchName(taskId, partId);
      const worktree = await prepareAgentWorktree(git, { ...location, agentId, branch: partBranch, base });
      edit(worktree.path);
      await commitPart(git, {
        worktreePath: worktree.path,
        role: agentId,
        description: `Part ${partId}`,
        taskId,
      });
      return partBranch;
    },
  };
}
