import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyTask } from "./apply-task.js";
import { GitError } from "./git-error.js";
import { createGitRunner } from "./run-git.js";
import { mergePart } from "./task-branch.js";
import { type ScratchRepository, scratchRepositories, USER } from "./test-support/scratch-repository.js";
import { startScratchTask } from "./test-support/task-setup.js";

const scratch = scratchRepositories();

/** A finished task whose one part changed src/app.ts and added src/api.ts. */
async function finishedTask(repository: ScratchRepository) {
  const task = await startScratchTask(repository);
  const partBranch = await task.doPart("backend", "part_1", (path) => {
    repository.write("src/app.ts", "export const answer = 43;\n", path);
    repository.write("src/api.ts", "export const api = 1;\n", path);
  });
  await mergePart(repository.git, { worktreePath: task.coordinatorPath, taskId: task.taskId, partBranch });
  return task;
}

async function refusal(work: Promise<unknown>): Promise<GitError> {
  const error = await work.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(GitError);
  return error as GitError;
}

/** What the user's tree looks like: HEAD, status, and the contents of the given files. */
function snapshot(repository: ScratchRepository, files: string[]) {
  return {
    head: repository.run(["rev-parse", "HEAD"]),
    status: repository.run(["status", "--porcelain", "--untracked-files=all", "--ignored"]),
    files: files.map((file) => (existsSync(join(repository.root, file)) ? repository.read(file) : null)),
  };
}

describe("applyTask", () => {
  it("fast-forwards the user's branch and keeps their uncommitted changes to other files", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("README.md", "the user's unsaved edit\n");
    repository.write("notes.txt", "untracked note\n");

    const applied = await applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId });

    expect(applied).toMatchObject({
      branch: "main",
      previousHead: task.base,
      head: repository.run(["rev-parse", "cca/task_1"]),
      fastForward: true,
      upToDate: false,
    });
    expect(applied.changes.files.map((file) => file.path)).toEqual(["src/api.ts", "src/app.ts"]);
    expect(repository.run(["rev-parse", "main"])).toBe(applied.head);
    expect(repository.read("src/app.ts")).toBe("export const answer = 43;\n");
    expect(repository.read("README.md")).toBe("the user's unsaved edit\n");
    expect(repository.read("notes.txt")).toBe("untracked note\n");
    expect(repository.run(["status", "--porcelain"])).toBe("M README.md\n?? notes.txt");
  });

  it("makes a merge commit as the user when their branch moved on, keeping uncommitted changes", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("CHANGELOG.md", "user's commit\n");
    const userHead = repository.commitAll("User's own work");
    repository.write("README.md", "the user's unsaved edit\n");

    const applied = await applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId });

    expect(applied).toMatchObject({ previousHead: userHead, fastForward: false, upToDate: false });
    expect(repository.run(["rev-list", "--parents", "-n", "1", "HEAD"])).toBe(
      `${applied.head} ${userHead} ${repository.run(["rev-parse", "cca/task_1"])}`,
    );
    expect(repository.run(["log", "-1", "--format=%an <%ae>|%s"])).toBe(
      `${USER.name} <${USER.email}>|Apply CCA task task_1 (cca/task_1)`,
    );
    expect(repository.read("CHANGELOG.md")).toBe("user's commit\n");
    expect(repository.read("src/api.ts")).toBe("export const api = 1;\n");
    expect(repository.run(["status", "--porcelain"])).toBe("M README.md");
  });

  it("refuses, changing nothing, when a file the merge changes has uncommitted changes", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("src/app.ts", "the user's unsaved edit\n");
    const before = snapshot(repository, ["src/app.ts", "src/api.ts"]);

    const error = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error.code).toBe("apply_would_overwrite");
    expect(error.details.files).toEqual(["src/app.ts"]);
    expect(error.message).toContain("src/app.ts");
    expect(error.message).toContain("Nothing was changed");
    expect(snapshot(repository, ["src/app.ts", "src/api.ts"])).toEqual(before);
  });

  it("refuses, changing nothing, when a staged change is in a file the merge changes", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("src/app.ts", "staged by the user\n");
    repository.run(["add", "src/app.ts"]);
    const before = snapshot(repository, ["src/app.ts"]);

    const error = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error).toMatchObject({ code: "apply_would_overwrite", details: { files: ["src/app.ts"] } });
    expect(snapshot(repository, ["src/app.ts"])).toEqual(before);
  });

  it("refuses when an untracked file, even an ignored one, is where the merge adds a file", async () => {
    const repository = scratch({ ".gitignore": "*.local\n", "README.md": "readme\n" });
    const task = await startScratchTask(repository);
    const partBranch = await task.doPart("backend", "part_1", (path) => {
      repository.write("config.local", "committed by the agent\n", path);
      repository.run(["add", "--force", "config.local"], path);
      repository.write("docs/new.md", "new doc\n", path);
    });
    await mergePart(repository.git, { worktreePath: task.coordinatorPath, taskId: task.taskId, partBranch });
    repository.write("config.local", "the user's local config\n");
    repository.write("docs", "a file where the merge needs a folder\n");
    const before = snapshot(repository, ["config.local", "docs"]);

    const error = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error).toMatchObject({
      code: "apply_would_overwrite",
      details: { files: ["config.local", "docs"] },
    });
    expect(snapshot(repository, ["config.local", "docs"])).toEqual(before);
  });

  it("refuses to make a merge commit while the user has staged changes, naming them", async () => {
    const repository = scratch({
      "README.md": "readme\n",
      "src/app.ts": "export const answer = 42;\n",
      "other.txt": "o\n",
    });
    const task = await finishedTask(repository);
    repository.write("CHANGELOG.md", "user's commit\n");
    repository.commitAll("User's own work");
    repository.write("other.txt", "staged elsewhere\n");
    repository.run(["add", "other.txt"]);
    const before = snapshot(repository, ["other.txt"]);

    const error = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error).toMatchObject({ code: "staged_changes", details: { files: ["other.txt"] } });
    expect(snapshot(repository, ["other.txt"])).toEqual(before);
  });

  it("refuses a merge that would conflict, naming the files and leaving the tree as it was", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("src/app.ts", "export const answer = 7;\n");
    repository.commitAll("User changes the same line");
    repository.write("README.md", "the user's unsaved edit\n");
    const before = snapshot(repository, ["src/app.ts", "README.md"]);

    const error = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error).toMatchObject({ code: "merge_conflict", details: { files: ["src/app.ts"] } });
    expect(error.message).toContain("src/app.ts");
    expect(snapshot(repository, ["src/app.ts", "README.md"])).toEqual(before);
    expect(existsSync(join(repository.root, ".git", "MERGE_HEAD"))).toBe(false);
  });

  it("without git merge-tree (git before 2.38), merges, aborts on the conflict and leaves the tree as it was", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.write("src/app.ts", "export const answer = 7;\n");
    repository.commitAll("User changes the same line");
    repository.write("README.md", "the user's unsaved edit\n");
    const before = snapshot(repository, ["src/app.ts", "README.md"]);
    const oldGit = join(repository.worktreesDir, "..", "old-git");
    writeFileSync(
      oldGit,
      '#!/bin/sh\n[ "$1" = merge-tree ] && { echo "usage: git merge-tree" >&2; exit 129; }\nexec git "$@"\n',
    );
    chmodSync(oldGit, 0o755);

    const error = await refusal(
      applyTask(createGitRunner({ gitPath: oldGit }), { projectRoot: repository.root, taskId: task.taskId }),
    );

    expect(error).toMatchObject({ code: "merge_conflict", details: { files: ["src/app.ts"] } });
    expect(snapshot(repository, ["src/app.ts", "README.md"])).toEqual(before);
    expect(existsSync(join(repository.root, ".git", "MERGE_HEAD"))).toBe(false);
  });

  it("refuses while the project is in the middle of a merge, and on a detached HEAD", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    repository.run(["switch", "--quiet", "-c", "side"]);
    repository.write("src/app.ts", "side\n");
    repository.commitAll("Side");
    repository.run(["switch", "--quiet", "main"]);
    repository.write("src/app.ts", "main\n");
    repository.commitAll("Main");
    expect(() => repository.run(["merge", "side"])).toThrow();

    const midMerge = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );
    expect(midMerge.code).toBe("operation_in_progress");
    expect(midMerge.message).toContain("git merge --abort");

    repository.run(["merge", "--abort"]);
    repository.run(["switch", "--quiet", "--detach", "HEAD"]);
    const detached = await refusal(
      applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId }),
    );
    expect(detached.code).toBe("detached_head");
    expect(repository.run(["rev-parse", "HEAD"])).toBe(repository.run(["rev-parse", "main"]));
  });

  it("says up to date when the branch has the task's work already", async () => {
    const repository = scratch();
    const task = await finishedTask(repository);
    await applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId });
    const head = repository.run(["rev-parse", "HEAD"]);

    const again = await applyTask(repository.git, { projectRoot: repository.root, taskId: task.taskId });

    expect(again).toMatchObject({ upToDate: true, head, previousHead: head, changes: { files: [] } });
  });
});
