import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listAgentWorktrees } from "./list-worktrees.js";
import { pruneAgentWorktrees } from "./prune-worktrees.js";
import { fourWorktrees } from "./test-support/four-worktrees.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

describe("pruneAgentWorktrees", () => {
  it("removes the clean and missing worktrees and keeps the others, saying why", async () => {
    const repository = scratch();
    const { location, clean, edited, committed } = await fourWorktrees(repository);

    const report = await pruneAgentWorktrees(repository.git, location);

    expect(report.removed.map((worktree) => worktree.agentId).sort()).toEqual(["clean", "gone"]);
    expect(report.kept.map(({ worktree, reason }) => [worktree.agentId, reason]).sort()).toEqual([
      ["committed", "1 commit(s) on cca-parts/task_1/committed that no other branch holds"],
      ["edited", "uncommitted changes in src/app.ts"],
    ]);
    expect(existsSync(clean.path)).toBe(false);
    expect(existsSync(join(edited.path, "src/app.ts"))).toBe(true);
    expect(existsSync(committed.path)).toBe(true);
    const remaining = await listAgentWorktrees(repository.git, location);
    expect(remaining.map((worktree) => worktree.agentId).sort()).toEqual(["committed", "edited"]);
    expect(repository.run(["branch", "--list", "cca-parts/task_1/clean"])).not.toBe("");
  });

  it("keeps the clean worktree of an agent that is running in it", async () => {
    const repository = scratch();
    const { location, clean } = await fourWorktrees(repository);

    const report = await pruneAgentWorktrees(repository.git, location, { keepAgents: new Set(["clean"]) });

    expect(report.removed.map((worktree) => worktree.agentId)).toEqual(["gone"]);
    expect(report.kept.find(({ worktree }) => worktree.agentId === "clean")?.reason).toBe(
      "its agent clean is running in it",
    );
    expect(existsSync(clean.path)).toBe(true);
  });
});
