import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { partBranchName } from "./branch-names.js";
import { commitPart, partCommitMessage } from "./commit-part.js";
import { prepareAgentWorktree } from "./prepare-worktree.js";
import { type ScratchRepository, scratchRepositories } from "./test-support/scratch-repository.js";

const scratch = scratchRepositories();

async function partWorktree(repository: ScratchRepository): Promise<string> {
  const worktree = await prepareAgentWorktree(repository.git, {
    projectRoot: repository.root,
    projectSlug: repository.projectSlug,
    worktreesDir: repository.worktreesDir,
    agentId: "agent_1",
    branch: partBranchName("task_1", "part_1"),
    base: "HEAD",
  });
  return worktree.path;
}

describe("commitPart", () => {
  it("commits every new, changed and deleted file on the part's branch as CCA <role>, with the task trailer", async () => {
    const repository = scratch();
    const path = await partWorktree(repository);
    repository.write("src/app.ts", "export const answer = 43;\n", path);
    repository.write("src/new.ts", "export const added = true;\n", path);
    rmSync(join(path, "README.md"));

    const result = await commitPart(repository.git, {
      worktreePath: path,
      role: "backend",
      description: "Raise the answer\n\n# Why\nBecause the spec says so.",
      taskId: "task_1",
      partId: "part_1",
    });

    expect(result).toMatchObject({ committed: true, branch: "cca-parts/task_1/part_1" });
    expect(result.committed && result.files.sort()).toEqual(["README.md", "src/app.ts", "src/new.ts"]);
    const commit = result.committed ? result.commit : "";
    expect(repository.run(["rev-parse", "cca-parts/task_1/part_1"])).toBe(commit);
    expect(repository.run(["log", "-1", "--format=%an <%ae>|%cn <%ce>", commit])).toBe(
      "CCA backend <backend@cca.local>|CCA backend <backend@cca.local>",
    );
    expect(repository.run(["log", "-1", "--format=%B", commit])).toBe(
      "Raise the answer\n\n# Why\nBecause the spec says so.\n\nCCA-Task: task_1\nCCA-Part: part_1",
    );
    expect(repository.run(["log", "-1", "--format=%(trailers:key=CCA-Task,valueonly)", commit])).toBe(
      "task_1",
    );
    expect(repository.run(["status", "--porcelain"], path)).toBe("");
    expect(repository.run(["status", "--porcelain"])).toBe("");
  });

  it("makes no commit when nothing changed, and says so", async () => {
    const repository = scratch();
    const path = await partWorktree(repository);
    const before = repository.run(["rev-parse", "HEAD"], path);

    const result = await commitPart(repository.git, {
      worktreePath: path,
      role: "backend",
      description: "Nothing",
      taskId: "task_1",
    });

    expect(result).toEqual({
      committed: false,
      reason: "nothing_to_commit",
      branch: "cca-parts/task_1/part_1",
    });
    expect(repository.run(["rev-parse", "HEAD"], path)).toBe(before);
  });

  it("refuses a role that cannot be part of a name", async () => {
    const repository = scratch();
    const path = await partWorktree(repository);
    await expect(
      commitPart(repository.git, {
        worktreePath: path,
        role: "back end",
        description: "x",
        taskId: "task_1",
      }),
    ).rejects.toMatchObject({ code: "invalid_name" });
  });
});

describe("partCommitMessage", () => {
  it("falls back to naming the task when the description is empty", () => {
    expect(partCommitMessage("  ", "task_9")).toBe("Part of task task_9\n\nCCA-Task: task_9\n");
  });
});
