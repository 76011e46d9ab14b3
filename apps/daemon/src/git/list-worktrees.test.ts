import { describe, expect, it } from "vitest";
import { listAgentWorktrees } from "./list-worktrees.js";
import { prepareAgentWorktree } from "./prepare-worktree.js";
import { fourWorktrees } from "./test-support/four-worktrees.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

describe("listAgentWorktrees", () => {
  it("lists the project's agent worktrees with agent, branch and state, copied files not counting", async () => {
    const repository = scratch();
    const { location, clean } = await fourWorktrees(repository);

    const listed = await listAgentWorktrees(repository.git, location);

    const byAgent = Object.fromEntries(listed.map((worktree) => [worktree.agentId, worktree]));
    expect(Object.keys(byAgent).sort()).toEqual(["clean", "committed", "edited", "gone"]);
    expect(byAgent.clean).toMatchObject({
      path: clean.path,
      branch: "cca-parts/task_1/clean",
      base: clean.base,
      state: "clean",
      uncommittedFiles: [],
      unmergedCommits: 0,
    });
    expect(byAgent.edited).toMatchObject({ state: "uncommitted", uncommittedFiles: ["src/app.ts"] });
    expect(byAgent.committed).toMatchObject({ state: "unmerged", unmergedCommits: 1 });
    expect(byAgent.gone).toMatchObject({ state: "missing" });
  });

  it("leaves out the user's own working tree and other projects' worktrees", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    await prepareAgentWorktree(repository.git, {
      projectRoot: repository.root,
      projectSlug: "other",
      worktreesDir: repository.worktreesDir,
      agentId: "agent_1",
      branch: "cca-parts/t/p",
      base,
    });
    const listed = await listAgentWorktrees(repository.git, {
      projectRoot: repository.root,
      projectSlug: repository.projectSlug,
      worktreesDir: repository.worktreesDir,
    });
    expect(listed).toEqual([]);
  });
});
