import { rmSync } from "node:fs";
import { partBranchName } from "../branch-names.js";
import { commitPart } from "../commit-part.js";
import { prepareAgentWorktree } from "../prepare-worktree.js";
import type { ScratchRepository } from "./scratch-repository.js";

/** Four agents' worktrees: clean, with an edit, with an unmerged commit, and one whose folder was deleted. */
export async function fourWorktrees(repository: ScratchRepository) {
  const base = repository.run(["rev-parse", "HEAD"]);
  const location = {
    projectRoot: repository.root,
    projectSlug: repository.projectSlug,
    worktreesDir: repository.worktreesDir,
  };
  const make = (agentId: string) =>
    prepareAgentWorktree(repository.git, {
      ...location,
      agentId,
      branch: partBranchName("task_1", agentId),
      base,
      copyFiles: [".env"],
    });
  repository.write(".env", "SECRET=1\n");
  const clean = await make("clean");
  const edited = await make("edited");
  repository.write("src/app.ts", "export const answer = 43;\n", edited.path);
  const committed = await make("committed");
  repository.write("feature.txt", "work\n", committed.path);
  await commitPart(repository.git, {
    worktreePath: committed.path,
    role: "frontend",
    description: "Feature",
    taskId: "task_1",
  });
  const gone = await make("gone");
  rmSync(gone.path, { recursive: true, force: true });
  return { location, clean, edited, committed, gone };
}
