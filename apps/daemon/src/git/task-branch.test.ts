import { rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitError } from "./git-error.js";
import { createTaskBranch, mergePart } from "./task-branch.js";
import { scratchRepositories } from "./test-support/scratch-repository.js";
import { startScratchTask } from "./test-support/task-setup.js";

const scratch = scratchRepositories();

describe("createTaskBranch", () => {
  it("makes cca/<task id> at the base without touching the user's working tree", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    repository.write("src/app.ts", "user's edit\n");
    repository.commitAll("User moves on");
    repository.write("README.md", "uncommitted\n");

    const branch = await createTaskBranch(repository.git, {
      projectRoot: repository.root,
      taskId: "task_1",
      base,
    });

    expect(branch).toEqual({ branch: "cca/task_1", base, created: true });
    expect(repository.run(["rev-parse", "cca/task_1"])).toBe(base);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"])).toBe("main");
    expect(repository.run(["status", "--porcelain"])).toBe("M README.md");
  });

  it("keeps a task branch that is at or ahead of its base, and refuses one elsewhere", async () => {
    const repository = scratch();
    const base = repository.run(["rev-parse", "HEAD"]);
    await createTaskBranch(repository.git, { projectRoot: repository.root, taskId: "task_1", base });
    expect(
      await createTaskBranch(repository.git, { projectRoot: repository.root, taskId: "task_1", base }),
    ).toMatchObject({ created: false });

    repository.run(["switch", "--quiet", "--orphan", "elsewhere"]);
    const unrelated = repository.commitAll("Unrelated");
    repository.run(["switch", "--quiet", "main"]);
    const error = await createTaskBranch(repository.git, {
      projectRoot: repository.root,
      taskId: "task_1",
      base: unrelated,
    }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(GitError);
    expect(error).toMatchObject({ code: "branch_exists", details: { branch: "cca/task_1" } });
  });
});

describe("mergePart", () => {
  it("merges a part's branch into the task's branch with a merge commit that names it", async () => {
    const repository = scratch();
    const task = await startScratchTask(repository);
    const partBranch = await task.doPart("backend", "part_1", (path) =>
      repository.write("src/api.ts", "export const api = 1;\n", path),
    );

    const result = await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch,
      summary: "Add the API",
    });

    expect(result).toMatchObject({ merged: true, alreadyMerged: false, files: ["src/api.ts"] });
    const commit = result.merged ? result.commit! : "";
    expect(repository.run(["rev-parse", "cca/task_1"])).toBe(commit);
    expect(repository.run(["rev-list", "--parents", "-n", "1", commit]).split(" ")).toHaveLength(3);
    expect(
      repository.run(["log", "-1", "--format=%an|%(trailers:key=CCA-Part-Branch,valueonly)", commit]),
    ).toBe("CCA coordinator|cca-parts/task_1/part_1");
    expect(repository.read("src/api.ts", task.coordinatorPath)).toBe("export const api = 1;\n");
    expect(repository.run(["rev-parse", "main"])).toBe(task.base);
  });

  it("says a part's branch is merged already instead of merging it twice", async () => {
    const repository = scratch();
    const task = await startScratchTask(repository);
    const partBranch = await task.doPart("backend", "part_1", (path) =>
      repository.write("a.txt", "a\n", path),
    );
    await mergePart(repository.git, { worktreePath: task.coordinatorPath, taskId: task.taskId, partBranch });
    const head = repository.run(["rev-parse", "cca/task_1"]);

    const again = await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch,
    });

    expect(again).toEqual({ merged: true, commit: null, alreadyMerged: true, files: [] });
    expect(repository.run(["rev-parse", "cca/task_1"])).toBe(head);
  });

  it("on a conflict aborts the merge and names the files with their conflict hunks", async () => {
    const repository = scratch({ "src/app.ts": "line 1\nline 2\nanswer = 42\nline 4\n", "b.txt": "b\n" });
    const task = await startScratchTask(repository);
    const first = await task.doPart("backend", "part_1", (path) =>
      repository.write("src/app.ts", "line 1\nline 2\nanswer = 43\nline 4\n", path),
    );
    const second = await task.doPart("frontend", "part_2", (path) => {
      repository.write("src/app.ts", "line 1\nline 2\nanswer = 44\nline 4\n", path);
      repository.write("b.txt", "b, cleanly\n", path);
    });
    await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch: first,
    });
    const head = repository.run(["rev-parse", "cca/task_1"]);

    const result = await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch: second,
    });

    expect(result.merged).toBe(false);
    const conflict = result.merged ? undefined : result.conflict;
    expect(conflict?.files).toEqual([
      {
        path: "src/app.ts",
        kind: "both modified",
        binary: false,
        hunks: [
          "line 1\nline 2\n<<<<<<< HEAD\nanswer = 43\n=======\nanswer = 44\n>>>>>>> cca-parts/task_1/part_2\nline 4\n",
        ],
      },
    ]);
    expect(conflict?.truncated).toBe(false);
    expect(repository.run(["rev-parse", "cca/task_1"])).toBe(head);
    expect(repository.run(["status", "--porcelain"], task.coordinatorPath)).toBe("");
    expect(repository.read("src/app.ts", task.coordinatorPath)).toBe("line 1\nline 2\nanswer = 43\nline 4\n");
  });

  it("names a file deleted on one side and changed on the other", async () => {
    const repository = scratch({ "gone.txt": "keep me\n" });
    const task = await startScratchTask(repository);
    const deleting = await task.doPart("backend", "part_1", (path) =>
      repository.run(["rm", "-q", "gone.txt"], path),
    );
    const editing = await task.doPart("frontend", "part_2", (path) =>
      repository.write("gone.txt", "edited\n", path),
    );
    await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch: deleting,
    });

    const result = await mergePart(repository.git, {
      worktreePath: task.coordinatorPath,
      taskId: task.taskId,
      partBranch: editing,
    });

    expect(result.merged ? [] : result.conflict.files).toEqual([
      { path: "gone.txt", kind: "deleted by us", binary: false, hunks: [] },
    ]);
    expect(repository.run(["status", "--porcelain"], task.coordinatorPath)).toBe("");
  });

  it("refuses a worktree not on the task's branch, one with uncommitted changes, and a missing part branch", async () => {
    const repository = scratch();
    const task = await startScratchTask(repository);
    const partBranch = await task.doPart("backend", "part_1", (path) =>
      repository.write("a.txt", "a\n", path),
    );

    await expect(
      mergePart(repository.git, { worktreePath: repository.root, taskId: task.taskId, partBranch }),
    ).rejects.toMatchObject({ code: "wrong_branch" });
    repository.write("scratch.txt", "left over\n", task.coordinatorPath);
    await expect(
      mergePart(repository.git, { worktreePath: task.coordinatorPath, taskId: task.taskId, partBranch }),
    ).rejects.toMatchObject({ code: "dirty_worktree", details: { files: ["scratch.txt"] } });
    rmSync(join(task.coordinatorPath, "scratch.txt"));
    await expect(
      mergePart(repository.git, {
        worktreePath: task.coordinatorPath,
        taskId: task.taskId,
        partBranch: "nope",
      }),
    ).rejects.toMatchObject({ code: "unknown_revision" });
  });
});
