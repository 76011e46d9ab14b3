import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage, TaskTreeSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-status-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

const usage = (input: number, output: number, cost: number) => ({
  ...emptyUsage(),
  input_tokens: input,
  output_tokens: output,
  cost_usd: cost,
});

const finished = {
  started_at: "2025-01-01T12:00:01.000Z",
  finished_at: "2025-01-01T12:00:31.000Z",
  duration_ms: 30_000,
  num_turns: 3,
  agent_id: "coordinator_c1",
  usage: usage(1200, 300, 0.0123),
};

/** A running task the Coordinator split in two: backend (which handed tests to qa) and frontend. */
function addSignupTree() {
  api.tasks.set(
    "task_root",
    makeTask({ id: "task_root", status: "running", agent_id: "coordinator_c1", description: "Add signup" }),
  );
  api.tasks.set(
    "task_be",
    makeTask({
      id: "task_be",
      parent_id: "task_root",
      status: "running",
      agent_id: "backend_b1",
      started_at: "2025-01-01T12:04:00.000Z",
      description: "Add POST /users",
      usage: usage(3000, 500, 0.02),
    }),
  );
  api.tasks.set(
    "task_qa",
    makeTask({
      id: "task_qa",
      parent_id: "task_be",
      status: "completed",
      agent_id: "qa_q1",
      duration_ms: 8_000,
      description: "Test POST /users",
      usage: usage(1000, 200, 0.005),
    }),
  );
  api.tasks.set(
    "task_fe",
    makeTask({
      id: "task_fe",
      parent_id: "task_root",
      description: `Build the form ${"carefully ".repeat(30)}`,
    }),
  );
}

describe("cca task status", () => {
  it("shows a task's detail, exiting 0 while it runs", async () => {
    api.tasks.set("task_run", makeTask({ id: "task_run", status: "running", agent_id: "agent_1" }));

    const result = await cca(["task", "status", "task_run"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain("task     task_run");
    expect(result.stdout).toContain("status   running");
    expect(result.stdout).toContain("created 5m ago");
    expect(result.stdout).not.toContain("subtasks");
  });

  it("shows the subtasks as an indented tree, and the usage as the total over the whole tree", async () => {
    addSignupTree();
    const stdout = createCapturedOutput(80);

    const result = await cca(["task", "status", "task_root"], { stdout });

    expect(result.code).toBe(0);
    const tree = result.stdout.slice(result.stdout.indexOf("subtasks\n")).trimEnd().split("\n");
    expect(tree.slice(0, 4)).toEqual([
      "subtasks",
      "ROLE        STATUS     TIME   TOKENS  COST     DESCRIPTION",
      "├─ backend  running    1m00s  4.7k    $0.0250  Add POST /users",
      "│  └─ qa    completed  8.0s   1.2k    $0.0050  Test POST /users",
    ]);
    expect(tree[4]).toMatch(/^└─ —\s+queued\s+-\s+0\s+\$0\.0000\s+Build the form carefully careful…$/);
    expect(tree[4]?.length).toBe(80);
    expect(result.stdout).toContain(
      "usage    4.7k tokens (in 4k, out 700, cache write 0, cache read 0), $0.0250 (the team: the task and its 3 subtasks)",
    );
  });

  it("prints the task tree, the exact wire object, with --json", async () => {
    addSignupTree();

    const result = await cca(["task", "status", "task_root", "--json"]);

    const printed = JSON.parse(result.stdout);
    expect(TaskTreeSchema.parse(printed)).toEqual(printed);
    expect(printed).toMatchObject({
      id: "task_root",
      total_usage: usage(4000, 700, 0.025),
      subtasks: [
        { id: "task_be", subtasks: [{ id: "task_qa", subtasks: [] }] },
        { id: "task_fe", subtasks: [] },
      ],
    });
  });

  it("exits 4 for a failed task", async () => {
    api.tasks.set(
      "task_bad",
      makeTask({ id: "task_bad", status: "failed", error: { code: "timeout", message: "x" } }),
    );

    expect((await cca(["task", "status", "task_bad"])).code).toBe(4);
  });

  it("exits 5 for an unknown id", async () => {
    const result = await cca(["task", "status", "nope"]);

    expect(result.code).toBe(5);
    expect(result.stderr).toBe(
      'cca: No task with id "nope"; list tasks with `cca task list` (task_not_found)\n',
    );
  });
});

describe("cca task status --watch", () => {
  it("prints a new frame when a subtask changes, with its agent's activity, until the task completes", async () => {
    addSignupTree();
    const stdout = createCapturedOutput();
    const running = cca(["task", "status", "task_root", "--watch"], { stdout });
    await api.nextEventStream();
    await stdout.waitFor("Build the form");

    api.update("task_fe", {
      status: "running",
      agent_id: "frontend_f1",
      started_at: "2025-01-01T12:04:30.000Z",
    });
    api.emit({
      kind: "task.started",
      agent_id: "frontend_f1",
      task_id: "task_fe",
      summary: "frontend: started",
    });
    await stdout.waitFor("└─ frontend");
    api.emit({
      kind: "agent.tool_use",
      agent_id: "frontend_f1",
      task_id: "task_fe",
      summary: "frontend: running Bash: npm test",
    });
    await stdout.waitFor("frontend: running Bash: npm test");
    api.update("task_fe", { status: "completed", duration_ms: 40_000 });
    api.update("task_root", { ...finished, status: "completed", result: "Signup works." });

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("\u001b");
    const frames = result.stdout.split("\n\ntask     task_root\n");
    expect(frames).toHaveLength(4);
    expect(frames[0]).toMatch(/└─ —\s+queued/);
    expect(frames[1]).toMatch(/└─ frontend\s+running\s+30\.0s/);
    expect(frames[1]).toContain("activity\n  5m  frontend: started");
    expect(frames[2]).toContain("activity\n  5m  frontend: running Bash: npm test");
    expect(frames[3]).toMatch(/└─ frontend\s+completed\s+40\.0s/);
    expect(frames[3]).toContain("result\n  Signup works.");
    expect(frames[3]).not.toContain("activity");
  });

  it("exits 4 when the task fails while watched", async () => {
    addSignupTree();
    const stdout = createCapturedOutput();
    const running = cca(["task", "status", "task_root", "--watch"], { stdout });
    await stdout.waitFor("Build the form");

    api.update("task_root", { status: "failed", error: { code: "agent_crashed", message: "gone" } });

    const result = await running;
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("agent_crashed: gone");
  });

  it("redraws in place on a terminal", async () => {
    addSignupTree();
    const stdout = createCapturedOutput(120, { isTTY: true });
    const running = cca(["task", "status", "task_root", "--watch"], { stdout });
    await api.nextEventStream();
    await stdout.waitFor("Build the form");
    const firstFrame = stdout.text;

    api.update("task_be", { status: "completed", duration_ms: 61_000 });
    api.emit({
      kind: "task.completed",
      agent_id: "backend_b1",
      task_id: "task_be",
      summary: "completed: ok",
    });
    await stdout.waitFor("1m01s");
    api.update("task_root", { status: "cancelled" });

    const result = await running;
    expect(result.code).toBe(4);
    const rows = firstFrame.split("\n").length - 1;
    expect(result.stdout.slice(firstFrame.length)).toMatch(
      new RegExp(`^\\u001b\\[${rows}A\\r\\u001b\\[Jtask     task_root\\n`),
    );
  });

  it("--json prints the tree on one line per change, ending with the finished task", async () => {
    addSignupTree();
    const stdout = createCapturedOutput();
    const running = cca(["task", "status", "task_root", "--watch", "--json"], { stdout });
    await api.nextEventStream();
    await stdout.waitFor("\n");

    api.update("task_fe", { status: "running", agent_id: "frontend_f1" });
    api.emit({
      kind: "task.started",
      agent_id: "frontend_f1",
      task_id: "task_fe",
      summary: "frontend: started",
    });
    await stdout.waitFor("frontend_f1");
    api.update("task_root", { status: "failed", error: { code: "agent_crashed", message: "gone" } });

    const result = await running;
    const trees = result.stdout
      .trim()
      .split("\n")
      .map((line) => TaskTreeSchema.parse(JSON.parse(line)));
    expect(trees.map((tree) => [tree.status, tree.subtasks[1]?.agent_id])).toEqual([
      ["running", null],
      ["running", "frontend_f1"],
      ["failed", "frontend_f1"],
    ]);
    expect(result.code).toBe(4);
  });

  it("prints a task that already ended once", async () => {
    api.tasks.set("task_done", makeTask({ id: "task_done", status: "completed", result: "Done." }));

    const result = await cca(["task", "status", "task_done", "--watch"]);

    expect(result.code).toBe(0);
    expect(result.stdout.startsWith("task     task_done\n")).toBe(true);
    expect(result.stdout.match(/task_done/g)).toHaveLength(1);
  });

  it("exits 130 when interrupted, saying how to follow the task again", async () => {
    addSignupTree();
    const controller = new AbortController();
    const stdout = createCapturedOutput();
    const running = cca(["task", "status", "task_root", "--watch"], { stdout, signal: controller.signal });
    await stdout.waitFor("Build the form");

    controller.abort();

    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("Stopped watching; task task_root is still running.");
  });
});
