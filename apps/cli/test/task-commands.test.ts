import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TaskSchema } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-task-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

const finished = {
  started_at: "2025-01-01T12:00:01.000Z",
  finished_at: "2025-01-01T12:00:31.000Z",
  duration_ms: 30_000,
  num_turns: 3,
  agent_id: "agent_coordinator",
  usage: {
    input_tokens: 1200,
    output_tokens: 300,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 10_000,
    cost_usd: 0.0123,
  },
};

describe("cca task create", () => {
  it("creates a task with the joined description and priority, printing its id", async () => {
    const result = await cca(["task", "create", "Add", "a", "health", "check", "--priority", "high"]);

    expect(result.code).toBe(0);
    const [task] = [...api.tasks.values()];
    expect(task).toMatchObject({ description: "Add a health check", priority: "high", status: "queued" });
    expect(result.stdout).toContain(`task ${task?.id}`);
    expect(api.requests.find((request) => request.method === "POST")?.authorization).toBe(
      `Bearer ${api.token}`,
    );
  });

  it("sends the current folder as the task's project folder", async () => {
    const result = await cca(["task", "create", "Add", "a", "route"], { cwd: home });

    expect(result.code).toBe(0);
    const created = api.requests.find((request) => request.method === "POST");
    expect(created?.body).toMatchObject({ description: "Add a route", project_dir: home });
  });

  it("sends --project as an absolute folder, relative ones taken from the current folder", async () => {
    await cca(["task", "create", "--project", "shop/backend", "Add", "a", "route"], { cwd: home });
    await cca(["task", "create", "--project", "/srv/billing", "Fix", "invoices"], { cwd: home });

    const bodies = api.requests.filter((request) => request.method === "POST").map((request) => request.body);
    expect(bodies).toMatchObject([
      { description: "Add a route", project_dir: join(home, "shop/backend") },
      { description: "Fix invoices", project_dir: "/srv/billing" },
    ]);
  });

  it("sends --role, to run the task on one specialist without the Coordinator", async () => {
    const result = await cca(["task", "create", "--role", "qa", "Run", "the", "tests"], { cwd: home });

    expect(result.code).toBe(0);
    const created = api.requests.find((request) => request.method === "POST");
    expect(created?.body).toMatchObject({ description: "Run the tests", role: "qa" });
  });

  it("prints the daemon's task object with --json", async () => {
    const result = await cca(["task", "create", "--json", "Review", "the", "schema"]);

    const printed = TaskSchema.parse(JSON.parse(result.stdout));
    expect(printed).toEqual(api.tasks.get(printed.id));
  });

  it("waits with --wait and exits 0 with the result when the task completes", async () => {
    const created = api.nextCreatedTask();
    const running = cca(["task", "create", "--wait", "Fix", "the", "login", "test"]);
    const task = await created;
    await api.nextLongPoll();
    api.update(task.id, {
      ...finished,
      status: "completed",
      result: "Fixed: the token expiry was off by one.",
    });

    const result = await running;
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("status   completed");
    expect(result.stdout).toContain("Fixed: the token expiry was off by one.");
    expect(result.stdout).toContain("11.5k tokens");
    expect(result.stdout).toContain("$0.0123");
  });

  it("exits 4 with --wait when the task fails, showing the error", async () => {
    const created = api.nextCreatedTask();
    const running = cca(["task", "create", "--wait", "Break", "things"]);
    const task = await created;
    await api.nextLongPoll();
    api.update(task.id, {
      ...finished,
      status: "failed",
      error: { code: "turn_failed", message: "API error 529" },
    });

    const result = await running;
    expect(result.code).toBe(4);
    expect(result.stdout).toContain("turn_failed: API error 529");
  });

  it("exits 4 with --wait --json when the task is cancelled, printing the final task", async () => {
    const created = api.nextCreatedTask();
    const running = cca(["task", "create", "--wait", "--json", "Long", "job"]);
    const task = await created;
    await api.nextLongPoll();
    api.update(task.id, { status: "cancelled" });

    const result = await running;
    expect(result.code).toBe(4);
    expect(TaskSchema.parse(JSON.parse(result.stdout)).status).toBe("cancelled");
  });

  it("exits 1 when --timeout runs out first, saying how to follow the task", async () => {
    const result = await cca(["task", "create", "--wait", "--timeout", "1", "Slow", "job"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Gave up waiting after 1 s; task task_\d+ is still queued/);
    expect(result.stderr).toContain("--watch");
  });

  it("exits 130 when interrupted while waiting", async () => {
    const controller = new AbortController();
    const polled = api.nextLongPoll();
    const running = cca(["task", "create", "--wait", "Job"], { signal: controller.signal });
    await polled;
    controller.abort();

    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain("Stopped waiting");
  });
});

describe("cca task list and cancel", () => {
  it("lists tasks as a table with status, age, tokens, cost and a truncated description", async () => {
    api.tasks.set(
      "task_a",
      makeTask({
        id: "task_a",
        status: "completed",
        ...finished,
        description: `Refactor ${"very ".repeat(40)}much`,
      }),
    );
    api.tasks.set("task_b", makeTask({ id: "task_b", status: "running" }));

    const result = await cca(["task", "list"]);

    const [header, first, second] = result.stdout.trimEnd().split("\n");
    expect(header).toMatch(/^ID\s+STATUS\s+AGE\s+PARTS\s+TOKENS\s+COST\s+DESCRIPTION$/);
    expect(first).toMatch(/^task_a\s+completed\s+5m\s+0\s+11.5k\s+\$0.0123\s+Refactor very/);
    expect(first?.endsWith("…")).toBe(true);
    expect(first?.length).toBeLessThanOrEqual(120);
    expect(second).toMatch(/^task_b\s+running/);
  });

  it("filters by --status and prints wire objects with --json", async () => {
    api.tasks.set("task_a", makeTask({ id: "task_a", status: "completed" }));
    api.tasks.set("task_b", makeTask({ id: "task_b", status: "running" }));

    const result = await cca(["task", "list", "--status", "running", "--json"]);

    expect(JSON.parse(result.stdout)).toEqual([{ ...api.tasks.get("task_b"), part_count: 0 }]);
    expect(api.requests.at(-1)?.path).toBe("/api/v1/tasks?limit=20&status=running&parent=none");
  });

  it("says so when there are no tasks", async () => {
    expect((await cca(["task", "list"])).stdout).toBe("No tasks.\n");
  });

  it("cancels a running task", async () => {
    api.tasks.set("task_c", makeTask({ id: "task_c", status: "running" }));

    const result = await cca(["task", "cancel", "task_c"]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Cancelled: task task_c {2}cancelled/);
    expect(api.tasks.get("task_c")?.status).toBe("cancelled");
  });

  it("exits 1 with the daemon's reason when the task already ended", async () => {
    api.tasks.set("task_d", makeTask({ id: "task_d", status: "completed" }));

    const result = await cca(["task", "cancel", "task_d"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("already completed (task_finished)");
  });

  it("exits 5 when cancelling an unknown task", async () => {
    expect((await cca(["task", "cancel", "nope"])).code).toBe(5);
  });
});

describe("talking to the daemon", () => {
  it("exits 3 when no daemon answers, naming the URL", async () => {
    await api.close();

    const result = await cca(["task", "list"]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`not reachable at ${api.url}`);
  });

  it("--daemon-url wins over CCA_DAEMON_URL", async () => {
    const result = await runCca(["task", "list", "--daemon-url", api.url], {
      env: { CCA_HOME: home, CCA_DAEMON_URL: "http://127.0.0.1:1", CCA_TOKEN: api.token },
    });

    expect(result.code).toBe(0);
  });

  it("reads the token from $CCA_HOME/token when CCA_TOKEN is unset", async () => {
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(home, "token"), `${api.token}\n`);

    const result = await runCca(["task", "list"], { env: { CCA_HOME: home, CCA_DAEMON_URL: api.url } });

    expect(result.code).toBe(0);
    expect(api.requests.at(-1)?.authorization).toBe(`Bearer ${api.token}`);
  });

  it("exits 1 and names the problem when the token is wrong", async () => {
    const result = await runCca(["task", "list"], {
      env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: "wrong" },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("(unauthorized)");
  });
});
