import { describe, expect, it } from "vitest";
import { freeBranch } from "./free-branch.js";
import { prepareAgentWorktree } from "./prepare-worktree.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

describe("freeBranch", () => {
  it("detaches a branch from another agent's worktree, keeping its files, so this one can take it", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    const location = {
      projectRoot: repository.root,
      projectSlug: repository.projectSlug,
      worktreesDir: repository.worktreesDir,
    };
    const gone = await prepareAgentWorktree(repository.git, {
      ...location,
      agentId: "gone_1",
      branch: "cca/task_1",
      base,
    });
    repository.write("half.txt", "left behind\n", gone.path);

    const taker = await prepareAgentWorktree(repository.git, {
      ...location,
      agentId: "taker_1",
      branch: "cca/task_2",
      base,
    });
    const detached = await freeBranch(repository.git, {
      projectRoot: repository.root,
      branch: "cca/task_1",
      keep: taker.path,
    });
    const taken = await prepareAgentWorktree(repository.git, {
      ...location,
      agentId: "taker_1",
      branch: "cca/task_1",
      base,
    });

    expect(detached).toEqual([gone.path]);
    expect(taken.branch).toBe("cca/task_1");
    expect(repository.run(["status", "--porcelain"], gone.path)).toBe("?? half.txt");
    expect(repository.run(["symbolic-ref", "--short", "-q", "HEAD"], taken.path)).toBe("cca/task_1");
  });

  it("leaves the user's own working tree alone, even on that branch", async () => {
    const repository = scratch();
    repository.run(["switch", "-q", "-c", "cca/task_1"]);

    const detached = await freeBranch(repository.git, {
      projectRoot: repository.root,
      branch: "cca/task_1",
      keep: "/nowhere",
    });

    expect(detached).toEqual([]);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"])).toBe("cca/task_1");
  });
});
