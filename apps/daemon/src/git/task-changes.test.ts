import { describe, expect, it } from "vitest";
import { commitPart } from "./commit-part.js";
import { mergePart } from "./task-branch.js";
import { taskChanges, taskDiff } from "./task-changes.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";
import { startScratchTask } from "./test-support/task-setup.js";

const scratch = scratchRepositories();

describe("taskChanges", () => {
  it("gives a diffstat per merged part and in total, against the task's base", async () => {
    const repository = scratch();
    const task = await startScratchTask(repository);
    const api = await task.doPart("backend", "part_1", (path) => {
      repository.write("src/api.ts", "export const api = 1;\nexport const v = 2;\n", path);
      repository.write("src/app.ts", "export const answer = 43;\n", path);
    });
    const ui = await task.doPart("frontend", "part_2", (path) =>
      repository.write("ui/page.tsx", "<Page />\n", path),
    );
    for (const partBranch of [api, ui]) {
      await mergePart(repository.git, {
        worktreePath: task.coordinatorPath,
        taskId: task.taskId,
        partBranch,
      });
    }
    // A fix the Coordinator commits on the task's branch itself counts in the total only.
    repository.write("ui/page.tsx", "<Page fixed />\n", task.coordinatorPath);
    await commitPart(repository.git, {
      worktreePath: task.coordinatorPath,
      role: "coordinator",
      description: "Fix",
      taskId: task.taskId,
    });
    repository.write("README.md", "the user's own commit is no part of the task\n");
    repository.commitAll("User");

    const changes = await taskChanges(repository.git, {
      projectRoot: repository.root,
      taskId: task.taskId,
      base: task.base,
    });

    expect(changes).toMatchObject({
      branch: "cca/task_1",
      base: task.base,
      head: repository.run(["rev-parse", "cca/task_1"]),
    });
    expect(changes.parts.map((part) => [part.branch, part.stat.files.map((file) => file.path)])).toEqual([
      ["cca-parts/task_1/part_1", ["src/api.ts", "src/app.ts"]],
      ["cca-parts/task_1/part_2", ["ui/page.tsx"]],
    ]);
    expect(changes.parts[0]!.stat).toMatchObject({ insertions: 3, deletions: 1 });
    expect(changes.total.files.map((file) => `${file.kind} ${file.path}`)).toEqual([
      "added src/api.ts",
      "modified src/app.ts",
      "added ui/page.tsx",
    ]);
    expect(changes.total).toMatchObject({ insertions: 4, deletions: 1 });
  });

  it("refuses a task whose branch does not exist", async () => {
    const repository = scratch();
    await expect(
      taskChanges(repository.git, { projectRoot: repository.root, taskId: "task_9", base: "HEAD" }),
    ).rejects.toMatchObject({ code: "unknown_revision" });
  });
});

describe("taskDiff", () => {
  it("gives the full diff of the task's branch against its base", async () => {
    const repository = scratch();
    const task = await startScratchTask(repository);
    const partBranch = await task.doPart("backend", "part_1", (path) =>
      repository.write("src/app.ts", "export const answer = 43;\n", path),
    );
    await mergePart(repository.git, { worktreePath: task.coordinatorPath, taskId: task.taskId, partBranch });

    const diff = await taskDiff(repository.git, {
      projectRoot: repository.root,
      taskId: task.taskId,
      base: task.base,
    });

    expect(diff).toContain("diff --git a/src/app.ts b/src/app.ts");
    expect(diff).toContain("-export const answer = 42;\n+export const answer = 43;\n");
  });
});
