import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { emptyUsage } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeDaemonApi, makeAgent, makeTask, startFakeDaemonApi } from "./fixtures/fake-daemon-api.ts";
import { createCapturedOutput, runCca } from "./fixtures/run-cca.ts";

let api: FakeDaemonApi;
let home: string;

beforeEach(async () => {
  api = await startFakeDaemonApi();
  home = mkdtempSync(join(tmpdir(), "cca-cli-team-"));
});

afterEach(async () => {
  await api.close();
  rmSync(home, { recursive: true, force: true });
});

const cca = (args: string[], options: Parameters<typeof runCca>[1] = {}) =>
  runCca(args, { ...options, env: { CCA_HOME: home, CCA_DAEMON_URL: api.url, CCA_TOKEN: api.token } });

/** A team at work: the Coordinator split one task, an old task is done, one waits in the queue. */
function addTeam() {
  api.agents.set(
    "coordinator_c1",
    makeAgent({ id: "coordinator_c1", role: "coordinator", state: "busy", current_task_id: "task_root" }),
  );
  api.agents.set(
    "backend_b1",
    makeAgent({
      id: "backend_b1",
      role: "backend",
      state: "busy",
      current_task_id: "task_be",
      last_tool: { name: "Bash", summary: "Bash: npm test", at: "2025-01-01T12:04:50.000Z" },
      usage: { ...emptyUsage(), input_tokens: 2500, cost_usd: 0.03 },
    }),
  );
  api.tasks.set("task_old", makeTask({ id: "task_old", status: "completed", description: "Old work" }));
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
      description: "Add POST /users",
    }),
  );
  api.tasks.set("task_next", makeTask({ id: "task_next", description: "Next in line" }));
  api.emit({ kind: "task.queued", agent_id: null, task_id: "task_root", summary: "cca_task: Add signup" });
  api.emit({
    kind: "agent.tool_use",
    agent_id: "backend_b1",
    task_id: "task_be",
    summary: "backend: running Bash: npm test",
  });
}

describe("cca status", () => {
  it("shows the daemon, the agents, the open tasks with their subtasks, and recent activity", async () => {
    addTeam();

    const result = await cca(["status"]);

    expect(result.code).toBe(0);
    const [daemon, agents, tasks, recent] = result.stdout.trimEnd().split("\n\n");
    expect(daemon).toBe(`ccad 0.0.0-fake running at ${api.url} (pid ${process.pid}, up 42.0s)`);
    expect(agents?.split("\n")).toEqual([
      "agents",
      "ID              STATE  TASK       TOKENS  COST     LAST TOOL",
      "coordinator_c1  busy   task_root  0       $0.0000  -",
      "backend_b1      busy   task_be    2.5k    $0.0300  Bash: npm test",
    ]);
    expect(tasks?.split("\n")).toEqual([
      "tasks",
      "TASK        STATUS   TIME  TOKENS  COST     DESCRIPTION",
      "task_root   running  -     0       $0.0000  Add signup",
      "└─ backend  running  -     0       $0.0000  Add POST /users",
      "task_next   queued   -     0       $0.0000  Next in line",
    ]);
    expect(recent).toBe("recent activity\n  5m  cca_task: Add signup\n  5m  backend: running Bash: npm test");
    expect(api.requests.map((request) => request.path)).toContain(
      "/api/v1/tasks?limit=1000&status=running%2Cqueued%2Cpaused&parent=none",
    );
  });

  it("prints the daemon status, the activity and the task trees as JSON", async () => {
    addTeam();

    const result = await cca(["status", "--json"]);

    const printed = JSON.parse(result.stdout);
    expect(Object.keys(printed)).toEqual(["daemon", "activity", "tasks"]);
    expect(printed.activity.recent).toEqual(api.events);
    expect(printed.tasks.map((task: { id: string }) => task.id)).toEqual(["task_root", "task_next"]);
    expect(printed.tasks[0].subtasks[0].id).toBe("task_be");
  });

  it("says so when the team is idle", async () => {
    const result = await cca(["status"]);

    expect(result.stdout).toContain("agents\nNo agents.");
    expect(result.stdout).toContain("tasks\nNo running, queued or paused tasks.");
  });

  it("exits 3 when the daemon is down", async () => {
    await api.close();

    const result = await cca(["status"]);

    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`not reachable at ${api.url}`);
  });

  it("--watch prints a new frame on each change until Ctrl-C", async () => {
    addTeam();
    const controller = new AbortController();
    const stdout = createCapturedOutput();
    const running = cca(["status", "--watch"], { stdout, signal: controller.signal });
    await api.nextEventStream();
    await stdout.waitFor("recent activity");

    api.update("task_be", { status: "completed", duration_ms: 9_000 });
    api.emit({
      kind: "task.completed",
      agent_id: "backend_b1",
      task_id: "task_be",
      summary: "completed: ok",
    });
    await stdout.waitFor("5m  completed: ok");
    controller.abort();

    const result = await running;
    expect(result.code).toBe(130);
    expect(result.stdout).not.toContain("\u001b");
    const frames = result.stdout.split("\n\nccad 0.0.0-fake");
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatch(/└─ backend\s+running/);
    expect(frames[1]).toMatch(/└─ backend\s+completed\s+9\.0s/);
  });

  it("--watch --json prints one JSON line per change", async () => {
    const controller = new AbortController();
    const stdout = createCapturedOutput();
    const running = cca(["status", "--watch", "--json"], { stdout, signal: controller.signal });
    await api.nextEventStream();
    await stdout.waitFor("\n");

    api.tasks.set("task_new", makeTask({ id: "task_new", description: "Fresh" }));
    api.emit({ kind: "task.queued", agent_id: null, task_id: "task_new", summary: "cca_task: Fresh" });
    await stdout.waitFor("cca_task: Fresh");
    controller.abort();

    const result = await running;
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.map((team) => team.tasks.length)).toEqual([0, 1]);
    expect(result.code).toBe(130);
  });

  it("--watch exits 3 when the daemon goes away", async () => {
    const stdout = createCapturedOutput();
    const running = cca(["status", "--watch"], { stdout });
    await api.nextEventStream();
    await stdout.waitFor("recent activity");

    await api.close();

    const result = await running;
    expect(result.code).toBe(3);
  });
});
