import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newTask, type Task } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { busyAgent } from "../agents/test-support/busy-agent.js";
import { type ScratchRepository, scratchRepositories } from "../git/test-support/scratch-repository.js";
import { Workspaces } from "./workspaces.js";

const scratch = scratchRepositories();
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function workspacesOf(repository: ScratchRepository, isolation: "worktree" | "shared" = "worktree") {
  return new Workspaces({
    git: repository.git,
    worktreesDir: repository.worktreesDir,
    isolation,
    copyFiles: [],
  });
}

/** A submitted task of the repository's project, and its Coordinator in its worktree on the task's branch. */
async function startedTask(workspaces: Workspaces, repository: ScratchRepository, id = "task_1") {
  const workspaceFor = await workspaces.forNewTask(repository.root);
  const task = newTask({
    id,
    description: "Add a feature",
    created_at: "2026-12-02T00:00:00.000Z",
    project: repository.root,
    workspace: workspaceFor(id),
  });
  const folder = await workspaces.agentFolder("coordinator_1", repository.root);
  const coordinator = busyAgent("coordinator_1", "coordinator", folder!);
  await workspaces.startTask(task, coordinator);
  return { task, coordinator };
}

/** Runs a part whose agent writes `files` in its worktree; returns the ended part as stored. */
async function runPart(
  workspaces: Workspaces,
  repository: ScratchRepository,
  task: Task,
  fields: { id: string; role: string; files: Record<string, string>; status?: Task["status"] },
): Promise<Task> {
  const part = newTask({
    id: fields.id,
    description: `Part ${fields.id}`,
    created_at: "2026-12-02T00:00:00.000Z",
    parent_id: task.id,
    project: task.project,
  });
  const folder = await workspaces.agentFolder(`${fields.role}_1`, task.project);
  const specialist = busyAgent(`${fields.role}_1`, fields.role, folder!);
  const workspace = await workspaces.startPart(part, task, specialist);
  for (const [path, content] of Object.entries(fields.files)) repository.write(path, content, folder!);
  const commit = await workspaces.commitTurn({ ...part, workspace }, task.id, specialist);
  return { ...part, status: fields.status ?? "completed", workspace: workspace && { ...workspace, commit } };
}

describe("Workspaces", () => {
  it("gives a git project's tasks a branch at the project's HEAD, and agents worktrees of their own", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const head = repository.run(["rev-parse", "HEAD"]);

    const { task, coordinator } = await startedTask(workspaces, repository);

    expect(task.workspace).toEqual({
      isolation: "worktree",
      branch: "cca/task_1",
      base: head,
      commit: null,
      note: null,
      applied: null,
    });
    expect(coordinator.working_dir.startsWith(repository.worktreesDir)).toBe(true);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], coordinator.working_dir)).toBe("cca/task_1");
  });

  it("merges two parts' files into the task's branch and leaves the user's tree alone", async () => {
    const repository = scratch();
    repository.write("README.md", "the user's uncommitted edit\n");
    const workspaces = workspacesOf(repository);
    const { task, coordinator } = await startedTask(workspaces, repository);

    const backend = await runPart(workspaces, repository, task, {
      id: "part_1",
      role: "backend",
      files: { "api.ts": "export const api = 1;\n" },
    });
    const qa = await runPart(workspaces, repository, task, {
      id: "part_2",
      role: "qa",
      files: { "api.test.ts": "test\n" },
    });
    const merges = [
      await workspaces.mergePart(task, backend, coordinator.working_dir),
      await workspaces.mergePart(task, qa, coordinator.working_dir),
    ];

    expect(merges.map((merge) => [merge?.outcome, merge?.files])).toEqual([
      ["merged", ["api.ts"]],
      ["merged", ["api.test.ts"]],
    ]);
    expect(merges[0]?.note).toBe("Merged into cca/task_1: api.ts.");
    expect(repository.run(["ls-tree", "--name-only", "cca/task_1"]).split("\n")).toEqual(
      expect.arrayContaining(["api.ts", "api.test.ts"]),
    );
    expect(repository.run(["log", "-1", "--format=%an", backend.workspace!.commit!])).toBe("CCA backend");
    expect(repository.read("README.md")).toBe("the user's uncommitted edit\n");
    expect(repository.run(["status", "--porcelain"])).toBe("M README.md");
    const changes = await workspaces.changes(task);
    expect(changes?.parts.map((part) => part.stat.files.map((file) => file.path))).toEqual([
      ["api.ts"],
      ["api.test.ts"],
    ]);
  });

  it("starts a later part from the task's branch as it is, so it sees the parts merged before", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const { task, coordinator } = await startedTask(workspaces, repository);
    const first = await runPart(workspaces, repository, task, {
      id: "part_1",
      role: "backend",
      files: { "api.ts": "v1\n" },
    });
    await workspaces.mergePart(task, first, coordinator.working_dir);

    const folder = await workspaces.agentFolder("qa_1", repository.root);
    const later = newTask({
      id: "part_2",
      description: "Test it",
      created_at: "x",
      parent_id: task.id,
      project: task.project,
    });
    await workspaces.startPart(later, task, busyAgent("qa_1", "qa", folder!));

    expect(repository.read("api.ts", folder!)).toBe("v1\n");
  });

  it("returns a conflict with its files and hunks, and merges nothing", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const { task, coordinator } = await startedTask(workspaces, repository);
    const one = await runPart(workspaces, repository, task, {
      id: "part_1",
      role: "backend",
      files: { "README.md": "# Shop, by backend\n" },
    });
    const two = await runPart(workspaces, repository, task, {
      id: "part_2",
      role: "frontend",
      files: { "README.md": "# Shop, by frontend\n" },
    });
    await workspaces.mergePart(task, one, coordinator.working_dir);
    const before = repository.run(["rev-parse", "cca/task_1"]);

    const conflict = await workspaces.mergePart(task, two, coordinator.working_dir);

    expect(conflict?.outcome).toBe("conflict");
    expect(conflict?.conflicts.map((file) => [file.path, file.kind])).toEqual([
      ["README.md", "both modified"],
    ]);
    expect(conflict?.note).toContain("MERGE CONFLICT");
    expect(conflict?.note).toContain("# Shop, by frontend");
    expect(conflict?.note).toContain("cca-parts/task_1/part_2");
    expect(repository.run(["rev-parse", "cca/task_1"])).toBe(before);
    expect(repository.run(["status", "--porcelain"], coordinator.working_dir)).toBe("");
  });

  it("does not merge a part that did not complete, and says its changes stay on its branch", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const { task, coordinator } = await startedTask(workspaces, repository);
    const failed = await runPart(workspaces, repository, task, {
      id: "part_1",
      role: "backend",
      files: { "half.ts": "half\n" },
      status: "failed",
    });

    const merge = await workspaces.mergePart(task, failed, coordinator.working_dir);

    expect(merge).toMatchObject({ outcome: "not_merged", files: ["half.ts"] });
    expect(merge?.note).toBe(
      "The part ended failed, so its changes (half.ts) were not merged into cca/task_1; they stay on cca-parts/task_1/part_1.",
    );
    expect(repository.run(["ls-tree", "--name-only", "cca/task_1"])).not.toContain("half.ts");
  });

  it("reports a part that changed nothing, and reuses its agent's worktree for the next task", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const { task, coordinator } = await startedTask(workspaces, repository);
    const idle = await runPart(workspaces, repository, task, { id: "part_1", role: "backend", files: {} });
    expect((await workspaces.mergePart(task, idle, coordinator.working_dir))?.outcome).toBe("no_changes");

    await workspaces.releaseTask(task, coordinator);
    const next = await startedTask(workspaces, repository, "task_2");
    const again = await runPart(workspaces, repository, next.task, {
      id: "part_2",
      role: "backend",
      files: { "b.ts": "b\n" },
    });
    expect(again.workspace?.branch).toBe("cca-parts/task_2/part_2");
    expect((await workspaces.worktrees(repository.root)).map((worktree) => worktree.agentId).sort()).toEqual([
      "backend_1",
      "coordinator_1",
    ]);
    expect(repository.run(["symbolic-ref", "--short", "HEAD"], next.coordinator.working_dir)).toBe(
      "cca/task_2",
    );
  });

  it("copies [projects] copy_files into a part's worktree and never commits them", async () => {
    const repository = scratch();
    repository.write(".env", "SECRET=1\n");
    const workspaces = new Workspaces({
      git: repository.git,
      worktreesDir: repository.worktreesDir,
      isolation: "worktree",
      copyFiles: [".env"],
    });
    const { task, coordinator } = await startedTask(workspaces, repository);

    const part = await runPart(workspaces, repository, task, {
      id: "part_1",
      role: "backend",
      files: { "a.ts": "a\n" },
    });
    const merge = await workspaces.mergePart(task, part, coordinator.working_dir);

    const folder = await workspaces.agentFolder("backend_1", repository.root);
    expect(repository.read(".env", folder!)).toBe("SECRET=1\n");
    expect(merge?.files).toEqual(["a.ts"]);
    expect(repository.run(["ls-tree", "-r", "--name-only", "cca/task_1"])).not.toContain(".env");
  });

  it("commits what a part left uncommitted (its daemon was killed) on that part's branch before the agent moves on", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository);
    const { task } = await startedTask(workspaces, repository);
    const folder = await workspaces.agentFolder("backend_1", repository.root);
    const backend = busyAgent("backend_1", "backend", folder!);
    const cut = newTask({
      id: "part_1",
      description: "Cut short",
      created_at: "x",
      parent_id: task.id,
      project: task.project,
    });
    await workspaces.startPart(cut, task, backend);
    repository.write("half.ts", "half done\n", folder!); // no settle: the daemon died here

    const next = newTask({
      id: "part_2",
      description: "Next",
      created_at: "x",
      parent_id: task.id,
      project: task.project,
    });
    const workspace = await workspaces.startPart(next, task, backend);

    expect(workspace?.branch).toBe("cca-parts/task_1/part_2");
    expect(repository.run(["show", "cca-parts/task_1/part_1:half.ts"])).toBe("half done");
    expect(repository.run(["status", "--porcelain"], folder!)).toBe("");
  });

  it("shares a folder that is not a git repository, and says so", async () => {
    const folder = realpathSync(mkdtempSync(join(tmpdir(), "cca-plain-")));
    folders.push(folder);
    const workspaces = new Workspaces({
      git: scratch().git,
      worktreesDir: join(folder, "worktrees"),
      isolation: "worktree",
      copyFiles: [],
    });

    const workspace = (await workspaces.forNewTask(folder))("task_1");

    expect(workspace).toMatchObject({ isolation: "shared", branch: null, base: null });
    expect(workspace?.note).toContain("is not a git repository");
    expect(await workspaces.agentFolder("backend_1", folder)).toBeNull();
  });

  it("shares the project folder when agents.isolation is shared, with no note", async () => {
    const repository = scratch();
    const workspaces = workspacesOf(repository, "shared");

    const workspace = (await workspaces.forNewTask(repository.root))("task_1");

    expect(workspace).toEqual({
      isolation: "shared",
      branch: null,
      base: null,
      commit: null,
      note: null,
      applied: null,
    });
    expect(await workspaces.agentFolder("backend_1", repository.root)).toBeNull();
  });
});
