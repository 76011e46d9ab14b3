// What a task changed, from the command line: `task status` and `task create --wait` show the
// branch, the files per part and the team's total; `task diff` prints the patch, `task apply`
// takes it; `worktree list|prune` show and clean the agents' worktrees.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage, type FileChange, type TaskChanges, type Worktree } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ccaWithClosedPipe } from "./fixtures/closed-pipe.ts";
import { type FakeDaemonApi, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-changes-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({ CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token });
const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: env() });

const spent = (input: number, cost: number) => ({ ...emptyUsage(), input_tokens: input, cost_usd: cost });
const file = (path: string, insertions: number, deletions = 0, kind: FileChange["kind"] = "modified") => ({
  path,
  from_path: null,
  kind,
  insertions,
  deletions,
  binary: false,
});
const workspace = {
  isolation: "worktree" as const,
  branch: "cca/task_root",
  base: "1a2b3c4d5e6f7a8b",
  commit: null,
  note: null,
  applied: null,
};

/** task_root split into a backend part; its branch holds the part's new file and a fix of the Coordinator's. */
function addTaskWithBranch(id = "task_root"): TaskChanges {
  api.tasks.set(
    id,
    makeTask({ id, status: "completed", result: "Health check added.", usage: spent(1000, 0.21), workspace }),
  );
  api.tasks.set(
    "task_be",
    makeTask({
      id: "task_be",
      parent_id: id,
      status: "completed",
      agent_id: "backend_b1",
      usage: spent(3000, 0.21),
    }),
  );
  const health = file("src/health.ts", 8, 0, "added");
  const app = file("src/app.ts", 1, 1);
  const changes: TaskChanges = {
    task_id: id,
    branch: `cca/${id}`,
    base: workspace.base,
    head: "9f8e7d6c5b4a3f2e",
    parts: [
      {
        part_id: "task_be",
        branch: `cca-parts/${id}/task_be`,
        merge_commit: "m1",
        stat: { files: [health], insertions: 8, deletions: 0 },
      },
    ],
    total: { files: [app, health], insertions: 9, deletions: 1 },
  };
  const apply = {
    task_id: id,
    task_branch: `cca/${id}`,
    branch: "main",
    previous_head: workspace.base,
    head: changes.head,
    fast_forward: true,
    up_to_date: false,
    changes: changes.total,
  };
  api.branches.set(id, { changes, diff: "diff --git a/src/app.ts b/src/app.ts\n-a\n+b\n", apply });
  return changes;
}

describe("cca task status of an ended task", () => {
  it("shows the team's usage, the branch, each part's files by role, and how to apply", async () => {
    addTaskWithBranch();
    api.update("task_root", { team_usage: spent(4000, 0.42) });

    const result = await cca(["task", "status", "task_root"], { stdout: createCapturedOutput(80) });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "usage    4k tokens (in 4k, out 0, cache write 0, cache read 0), $0.4200",
    );
    const section = result.stdout.slice(result.stdout.indexOf("changes\n")).trimEnd().split("\n");
    expect(section).toEqual([
      "changes",
      "  Changes on cca/task_root (from 1a2b3c4): 2 files, +9 -1",
      "  - backend task_be: 1 file, +8 -0",
      "      A src/health.ts +8 -0",
      "  Apply it with `cca task apply task_root`; the patch: `cca task diff task_root`",
    ]);
    expect(section.every((line) => line.length <= 80)).toBe(true);
  });

  it("--watch shows what the branch changed once the task has ended", async () => {
    addTaskWithBranch();
    api.update("task_root", { status: "running", result: null });
    const stdout = createCapturedOutput();
    const watching = cca(["task", "status", "task_root", "--watch"], { stdout });
    await api.nextEventStream();
    await stdout.waitFor("status   running");
    expect(stdout.text).not.toContain("Changes on");
    api.update("task_root", { status: "completed", result: "Health check added." });

    const result = await watching;
    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd()).toMatch(
      /\n\nchanges\n {2}Changes on cca\/task_root \(from 1a2b3c4\): 2 files, \+9 -1\n[\s\S]*`cca task diff task_root`$/,
    );
  });

  it("says why the agents shared the folder, and asks the daemon for no branch", async () => {
    const note = "/srv/site is not a git repository, so the agents worked in the folder itself";
    api.tasks.set(
      "task_s",
      makeTask({
        id: "task_s",
        status: "completed",
        workspace: { ...workspace, isolation: "shared", base: null, note },
      }),
    );

    const result = await cca(["task", "status", "task_s"]);

    expect(result.stdout).toContain(`changes\n  Shared folder: ${note}`);
    expect(api.requests.some((request) => request.path.endsWith("/changes"))).toBe(false);
  });
});

describe("the team's total", () => {
  it("is what cca task list shows for a task split into parts", async () => {
    api.tasks.set(
      "task_root",
      makeTask({ id: "task_root", usage: spent(1000, 0.21), team_usage: spent(3000, 0.42) }),
    );

    const result = await cca(["task", "list"]);

    const row = result.stdout.split("\n").find((line) => line.startsWith("task_root"));
    expect(row).toMatch(/\s3k\s+\$0\.4200\s/);
  });

  it("is what cca task create --wait reports at the end, with what changed", async () => {
    const created = api.nextCreatedTask();
    const running = cca(["task", "create", "--wait", "Add", "a", "health", "check"]);
    const task = await created;
    await api.nextLongPoll();
    const changes = addTaskWithBranch(task.id);
    api.update(task.id, { status: "completed", result: "Done.", team_usage: spent(4000, 0.42), workspace });

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("$0.4200");
    expect(result.stdout).toContain(`  Changes on ${changes.branch} (from 1a2b3c4): 2 files, +9 -1`);
  });
});

describe("cca task diff", () => {
  it("prints the patch exactly as the daemon gives it", async () => {
    addTaskWithBranch();

    const result = await cca(["task", "diff", "task_root"]);

    expect(result).toEqual({ code: 0, stdout: "diff --git a/src/app.ts b/src/app.ts\n-a\n+b\n", stderr: "" });
  });

  it("exits 6 for a task without a branch", async () => {
    api.tasks.set("task_x", makeTask({ id: "task_x", status: "completed" }));

    const result = await cca(["task", "diff", "task_x"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toBe("cca: Task task_x has no branch (no_task_branch)\n");
  });

  it("stops quietly, exit 0, when the reader closes the pipe early", async () => {
    addTaskWithBranch();
    const big = `${"+".repeat(99)}\n`.repeat(20_000);
    const branch = api.branches.get("task_root")!;
    api.branches.set("task_root", { ...branch, diff: big });
    const result = await ccaWithClosedPipe(["task", "diff", "task_root"], env());

    expect(result).toEqual({ code: 0, stderr: "" });
  });
});

describe("cca task apply", () => {
  it("prints the branch applied to, fast-forward or merge commit, and the files", async () => {
    addTaskWithBranch();

    const result = await cca(["task", "apply", "task_root"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        "Applied cca/task_root to main as a fast-forward (now at 9f8e7d6): 2 files, +9 -1",
        "  M src/app.ts +1 -1",
        "  A src/health.ts +8 -0",
        "",
      ].join("\n"),
    );
    expect(api.requests.at(-1)).toMatchObject({ method: "POST", path: "/api/v1/tasks/task_root/apply" });
  });

  it("exits 6 on a refusal, printing the message that names the files, and every file", async () => {
    addTaskWithBranch();
    const files = ["a.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts"];
    const message =
      "Applying cca/task_root in /home/ada/shop would overwrite your uncommitted or untracked a.ts, b.ts, c.ts, d.ts, e.ts and 1 more; commit, move or discard them, then apply again. Nothing was changed.";
    const branch = api.branches.get("task_root")!;
    api.branches.set("task_root", {
      ...branch,
      apply: { status: 409, error: { code: "apply_would_overwrite", message, details: { files } } },
    });

    const result = await cca(["task", "apply", "task_root"]);

    expect(result.code).toBe(6);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `cca: ${message} (apply_would_overwrite)\nFiles:\n${files.map((name) => `  ${name}`).join("\n")}\n`,
    );
  });

  it("exits 6 for a task that has not ended", async () => {
    addTaskWithBranch();
    const branch = api.branches.get("task_root")!;
    const message = "Task task_root is still running; apply its branch once it has ended";
    api.branches.set("task_root", {
      ...branch,
      apply: { status: 409, error: { code: "task_not_ended", message } },
    });

    const result = await cca(["task", "apply", "task_root"]);

    expect(result.code).toBe(6);
    expect(result.stderr).toBe(`cca: ${message} (task_not_ended)\n`);
  });
});

describe("cca worktree", () => {
  const worktree = (agent: string, fields: Partial<Worktree> = {}): Worktree => ({
    project: "/home/ada/shop",
    agent_id: agent,
    path: `/var/cca/worktrees/shop-3f2a9c1b/${agent}`,
    branch: `cca-parts/task_3f9c0a12b4c5d6e7f8a9/task_0a1b2c3d4e5f6a7b8c9d`,
    head: "9f8e7d6",
    base: "1a2b3c4",
    state: "clean",
    uncommitted_files: [],
    unmerged_commits: 0,
    operation: null,
    ...fields,
  });

  it("list shows each worktree's agent, state, branch and path within 80 columns", async () => {
    api.worktrees.push(
      worktree("backend_3f9c0a12b4c5d6e7f8a9", {
        state: "uncommitted",
        uncommitted_files: ["src/a.ts", "b.ts"],
      }),
      worktree("coordinator_0a1b2c3d4e5f6a7b8c9d", { branch: "cca/task_3f9c0a12b4c5d6e7f8a9" }),
      worktree("qa_77", {
        state: "unmerged",
        unmerged_commits: 1,
        path: `/var/cca/worktrees/${"deep/".repeat(20)}qa_77`,
      }),
    );

    const result = await cca(["worktree", "list"], { stdout: createCapturedOutput(80) });

    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "project /home/ada/shop",
      "  backend_3f9c0a12b4c5d6e7f8a9      uncommitted (2 files)",
      "    branch cca-parts/task_3f9c0a12b4c5d6e7f8a9/task_0a1b2c3d4e5f6a7b8c9d",
      "    path   /var/cca/worktrees/shop-3f2a9c1b/backend_3f9c0a12b4c5d6e7f8a9",
    ]);
    expect(lines).toContain("  qa_77                             unmerged (1 commit)");
    expect(lines.at(-1)).toMatch(/^ {4}path {3}….*\/deep\/qa_77$/);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
  });

  it("list --project asks for the project of that folder, resolved from here", async () => {
    const result = await cca(["worktree", "list", "--project", "shop"], { cwd: "/home/ada" });

    expect(result.stdout).toBe("No agent worktrees.\n");
    expect(api.requests.at(-1)?.path).toBe(
      `/api/v1/worktrees?project=${encodeURIComponent("/home/ada/shop")}`,
    );
  });

  it("prune says what it removed, and what it kept and why", async () => {
    api.pruneReport = {
      removed: [worktree("clean_1"), worktree("gone_2", { state: "missing" })],
      kept: [
        {
          worktree: worktree("edited_3", { state: "uncommitted" }),
          reason: "uncommitted changes in src/app.ts, src/very/long/path/to/a/module/that/goes/on/and/on.ts",
        },
      ],
    };

    const result = await cca(["worktree", "prune", "--project", "/home/ada/shop"], {
      stdout: createCapturedOutput(80),
    });

    expect(result.code).toBe(0);
    expect(result.stdout.trimEnd().split("\n")).toEqual([
      "Removed 2 worktrees:",
      "  clean_1  /var/cca/worktrees/shop-3f2a9c1b/clean_1",
      "  gone_2  its folder was gone; git forgot it",
      "Kept 1 worktree, holding work:",
      "  edited_3: uncommitted changes in src/app.ts,",
      "      src/very/long/path/to/a/module/that/goes/on/and/on.ts",
      "Branches are never deleted: each part's and task's commits stay on its branch.",
    ]);
    expect(api.requests.at(-1)).toMatchObject({ method: "POST", body: { project: "/home/ada/shop" } });
  });
});
