// The HTTP surfaces of a task's branch (changes, diff, apply) and of the agents' worktrees, on
// a test daemon, with real git repositories made and changed through the git layer.
import { existsSync, realpathSync } from "node:fs";
import { join } from "node:path";
import {
  CcaError,
  ErrorBodySchema,
  newTask,
  type Task,
  TaskChangesSchema,
  WorktreePruneReportSchema,
  WorktreeSchema,
} from "@cca/core";
import { TaskRepository } from "@cca/memory";
import { afterEach, describe, expect, it } from "vitest";
import { mergePart } from "../src/git/index.js";
import { fourWorktrees } from "../src/git/test-support/four-worktrees.js";
import { scratchRepositories } from "../src/git/test-support/scratch-repository.js";
import { startScratchTask } from "../src/git/test-support/task-setup.js";
import { projectSlug } from "../src/workspaces/project-slug.js";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

const createRepository = scratchRepositories();
let t: TestDaemon | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Stores an ended top-level task of `project` whose workspace is the branch `cca/<id>` at `base`. */
async function storeTask(daemon: TestDaemon, fields: Partial<Task> & { id: string }): Promise<Task> {
  const task: Task = {
    ...newTask({ id: fields.id, description: "Add a health check", created_at: new Date().toISOString() }),
    status: "completed",
    finished_at: new Date().toISOString(),
    ...fields,
  };
  await new TaskRepository(daemon.database).insert(task);
  return task;
}

/** A repository with task `task_1` done: backend added src/health.ts, qa changed src/app.ts; both merged. */
async function taskWithTwoParts() {
  const repository = createRepository();
  const root = realpathSync(repository.root);
  const scratch = await startScratchTask(repository, "task_1");
  for (const [agent, part, edit] of [
    [
      "backend",
      "task_be",
      (path: string) => repository.write("src/health.ts", "export const ok = true;\n", path),
    ],
    ["qa", "task_qa", (path: string) => repository.write("src/app.ts", "export const answer = 43;\n", path)],
  ] as const) {
    const partBranch = await scratch.doPart(agent, part, edit);
    await mergePart(repository.git, { worktreePath: scratch.coordinatorPath, taskId: "task_1", partBranch });
  }
  const workspace = {
    isolation: "worktree" as const,
    branch: "cca/task_1",
    base: scratch.base,
    commit: null,
    note: null,
    applied: null,
  };
  return { repository, root, base: scratch.base, workspace };
}

async function errorOf(response: Response) {
  return ErrorBodySchema.parse(await response.json()).error;
}

describe("a task's branch over HTTP", () => {
  it("GET /tasks/:id/changes gives each merged part's diffstat and the total", async () => {
    const { root, base, workspace } = await taskWithTwoParts();
    t = await startTestDaemon();
    await storeTask(t, { id: "task_1", project: root, workspace });
    const changes = await t.client.taskChanges("task_1");
    expect(changes).toMatchObject({ task_id: "task_1", branch: "cca/task_1", base });
    expect(changes.parts.map((part) => [part.part_id, part.stat.files.map((file) => file.path)])).toEqual([
      ["task_be", ["src/health.ts"]],
      ["task_qa", ["src/app.ts"]],
    ]);
    expect(changes.total).toEqual({
      files: [
        { path: "src/app.ts", from_path: null, kind: "modified", insertions: 1, deletions: 1, binary: false },
        { path: "src/health.ts", from_path: null, kind: "added", insertions: 1, deletions: 0, binary: false },
      ],
      insertions: 2,
      deletions: 1,
    });
    expect(TaskChangesSchema.safeParse(changes).success).toBe(true);
  });

  it("GET /tasks/:id/diff answers the patch as plain text", async () => {
    const { root, workspace } = await taskWithTwoParts();
    t = await startTestDaemon();
    await storeTask(t, { id: "task_1", project: root, workspace });
    const response = await t.call("/api/v1/tasks/task_1/diff", { headers: { accept: "text/plain" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    const patch = await response.text();
    expect(patch).toContain("+++ b/src/health.ts\n@@ -0,0 +1 @@\n+export const ok = true;\n");
    expect(patch).toContain("-export const answer = 42;\n+export const answer = 43;\n");
    expect(await t.client.taskDiff("task_1")).toBe(patch);
  });

  it("POST /tasks/:id/apply merges the branch into the user's branch and keeps their uncommitted change", async () => {
    const { repository, root, workspace } = await taskWithTwoParts();
    repository.write("README.md", "# Shop, edited by the user\n");
    t = await startTestDaemon();
    await storeTask(t, { id: "task_1", project: root, workspace });
    const applied = await t.client.applyTask("task_1");
    expect(applied).toMatchObject({
      task_id: "task_1",
      task_branch: "cca/task_1",
      branch: "main",
      fast_forward: true,
      up_to_date: false,
    });
    expect(applied.head).toBe(repository.run(["rev-parse", "cca/task_1"]));
    expect(applied.changes.files.map((file) => file.path)).toEqual(["src/app.ts", "src/health.ts"]);
    expect(repository.read("src/health.ts")).toBe("export const ok = true;\n");
    expect(repository.read("README.md")).toBe("# Shop, edited by the user\n");
    expect((await t.client.getTask("task_1")).workspace?.applied).toMatch(/^applied to main \(fast-forward /);
    expect((await t.client.applyTask("task_1")).up_to_date).toBe(true);
  });

  it("POST /tasks/:id/apply refuses with 409, naming the file, when it would overwrite an uncommitted change", async () => {
    const { repository, root, workspace } = await taskWithTwoParts();
    repository.write("src/app.ts", "export const answer = 41;\n");
    const head = repository.run(["rev-parse", "HEAD"]);
    t = await startTestDaemon();
    await storeTask(t, { id: "task_1", project: root, workspace });
    const response = await t.call("/api/v1/tasks/task_1/apply", { method: "POST" });
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe("apply_would_overwrite");
    expect(error.message).toContain("src/app.ts");
    expect(error.details).toMatchObject({ path: root, files: ["src/app.ts"] });
    expect(repository.run(["rev-parse", "HEAD"])).toBe(head);
    expect(repository.read("src/app.ts")).toBe("export const answer = 41;\n");
    const thrown = await t.client.applyTask("task_1").catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(CcaError);
    expect(thrown).toMatchObject({ code: "apply_would_overwrite", details: { files: ["src/app.ts"] } });
  });

  it("refuses a part, a task whose agents shared the folder, and one without a project, saying why", async () => {
    const { root, workspace } = await taskWithTwoParts();
    t = await startTestDaemon();
    await storeTask(t, { id: "task_1", project: root, workspace });
    await storeTask(t, { id: "task_be", parent_id: "task_1", project: root, workspace });
    const note = "/srv/site is not a git repository, so the agents shared the folder";
    await storeTask(t, {
      id: "task_shared",
      project: "/srv/site",
      workspace: { ...workspace, isolation: "shared", branch: null, base: null, note },
    });
    await storeTask(t, { id: "task_bare" });
    const cases: [string, string, number, string, RegExp][] = [
      ["GET", "/api/v1/tasks/task_be/changes", 400, "bad_request", /is a part of task task_1/],
      ["POST", "/api/v1/tasks/task_be/apply", 400, "bad_request", /ask for the apply of task_1/],
      ["GET", "/api/v1/tasks/task_shared/diff", 409, "no_task_branch", /shared the folder/],
      ["POST", "/api/v1/tasks/task_shared/apply", 409, "no_task_branch", /no branch to apply/],
      ["GET", "/api/v1/tasks/task_bare/changes", 409, "no_task_branch", /without a project folder/],
      ["GET", "/api/v1/tasks/task_nope/diff", 404, "task_not_found", /task_nope/],
    ];
    for (const [method, path, status, code, message] of cases) {
      const response = await t.call(path, { method });
      expect([path, response.status]).toEqual([path, status]);
      const error = await errorOf(response);
      expect([path, error.code]).toEqual([path, code]);
      expect(error.message).toMatch(message);
    }
  });

  it("POST /tasks/:id/apply refuses a task that has not ended", async () => {
    const repository = createRepository();
    t = await startTestDaemon();
    const task = await t.client.createTask({
      description: "hang",
      project_dir: realpathSync(repository.root),
    });
    await waitUntil(async () => (await t!.client.getTask(task.id)).status === "running", 10_000);
    const response = await t.call(`/api/v1/tasks/${task.id}/apply`, { method: "POST" });
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({
      code: "task_not_ended",
      message: expect.stringContaining("running"),
    });
    await t.client.cancelTask(task.id);
  });
});

describe("the agents' worktrees over HTTP", () => {
  /** A repository the daemon knows (a task of it is stored), with four agent worktrees in the daemon's home. */
  async function knownProjectWithWorktrees(daemon: TestDaemon) {
    const repository = createRepository();
    const root = realpathSync(repository.root);
    const worktrees = await fourWorktrees({
      ...repository,
      root,
      projectSlug: projectSlug(root),
      worktreesDir: join(daemon.home, "worktrees"),
    });
    await storeTask(daemon, { id: "task_old", project: root });
    return { root, worktrees };
  }

  it("GET /worktrees lists each agent's worktree with its branch and state, for one project or all", async () => {
    t = await startTestDaemon();
    const { root } = await knownProjectWithWorktrees(t);
    const listed = await t.client.listWorktrees(join(root, "src"));
    expect(listed.map((worktree) => [worktree.agent_id, worktree.branch, worktree.state]).sort()).toEqual([
      ["clean", "cca-parts/task_1/clean", "clean"],
      ["committed", "cca-parts/task_1/committed", "unmerged"],
      ["edited", "cca-parts/task_1/edited", "uncommitted"],
      ["gone", "cca-parts/task_1/gone", "missing"],
    ]);
    expect(listed.find((worktree) => worktree.agent_id === "edited")?.uncommitted_files).toEqual([
      "src/app.ts",
    ]);
    expect(
      listed.every((worktree) => worktree.project === root && WorktreeSchema.safeParse(worktree).success),
    ).toBe(true);
    expect(await t.client.listWorktrees()).toEqual(listed);
  });

  it("POST /worktrees/prune removes the clean and missing ones and keeps the others with why", async () => {
    t = await startTestDaemon();
    const { root, worktrees } = await knownProjectWithWorktrees(t);
    const report = await t.client.pruneWorktrees(root);
    expect(report.removed.map((worktree) => worktree.agent_id).sort()).toEqual(["clean", "gone"]);
    expect(report.kept.map(({ worktree, reason }) => [worktree.agent_id, reason]).sort()).toEqual([
      ["committed", "1 commit(s) on cca-parts/task_1/committed that no other branch holds"],
      ["edited", "uncommitted changes in src/app.ts"],
    ]);
    expect(existsSync(worktrees.clean.path)).toBe(false);
    expect(existsSync(worktrees.edited.path)).toBe(true);
    expect(WorktreePruneReportSchema.safeParse(report).success).toBe(true);
  });

  it("POST /worktrees/prune keeps every worktree of a project while one of its tasks is under way", async () => {
    t = await startTestDaemon();
    const { root, worktrees } = await knownProjectWithWorktrees(t);
    const task = await t.client.createTask({ description: "hang", project_dir: root });
    await waitUntil(async () => (await t!.client.getTask(task.id)).status === "running", 10_000);
    const report = await t.client.pruneWorktrees();
    expect(report.removed).toEqual([]);
    expect(report.kept.map(({ worktree }) => worktree.agent_id)).toEqual(
      expect.arrayContaining(["clean", "committed", "edited", "gone"]),
    );
    expect(new Set(report.kept.map(({ reason }) => reason))).toEqual(
      new Set([`task ${task.id} is under way in this project; prune once the agents are done`]),
    );
    expect(existsSync(worktrees.clean.path)).toBe(true);
    await t.client.cancelTask(task.id);
  });

  it("refuses a project that is not a git repository", async () => {
    t = await startTestDaemon();
    const response = await t.call(`/api/v1/worktrees?project=${encodeURIComponent(t.home)}`);
    expect(response.status).toBe(409);
    expect(await errorOf(response)).toMatchObject({
      code: "not_a_repository",
      message: expect.stringContaining("is not in a git repository"),
    });
  });
});
