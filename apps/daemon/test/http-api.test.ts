import { CcaError, createDaemonClient } from "@cca/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

let t: TestDaemon;
beforeEach(async () => {
  t = await startTestDaemon();
});
afterEach(async () => {
  await t.close();
});

async function errorOf(response: Response) {
  return {
    status: response.status,
    ...((await response.json()) as { error: { code: string; message: string } }).error,
  };
}

describe("HTTP API", () => {
  it("answers /health without a token", async () => {
    const response = await fetch(`${t.daemon.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      status: "ok",
      dependencies: { database: { kind: "pglite", up: true }, queue: { kind: "memory", up: true } },
    });
  });

  it("refuses API calls without the access token", async () => {
    const response = await fetch(`${t.daemon.url}/api/v1/tasks`);
    expect(await errorOf(response)).toMatchObject({ status: 401, code: "unauthorized" });
  });

  it("reports malformed JSON as invalid_json", async () => {
    const error = await errorOf(await t.call("/api/v1/tasks", { method: "POST", body: "{nope" }));
    expect(error).toMatchObject({ status: 400, code: "invalid_json" });
    expect(error.message).toMatch(/not valid JSON/);
  });

  it("names a missing or empty description", async () => {
    const missing = await errorOf(await t.call("/api/v1/tasks", { method: "POST", body: "{}" }));
    expect(missing).toMatchObject({ status: 400, code: "bad_request" });
    expect(missing.message).toMatch(/description/);
    const empty = await errorOf(
      await t.call("/api/v1/tasks", { method: "POST", body: '{"description":"   "}' }),
    );
    expect(empty.message).toMatch(/description must not be empty/);
  });

  it("refuses an unknown priority with the allowed values", async () => {
    const body = JSON.stringify({ description: "x", priority: "urgent" });
    const error = await errorOf(await t.call("/api/v1/tasks", { method: "POST", body }));
    expect(error).toMatchObject({ status: 400, code: "bad_request" });
    expect(error.message).toMatch(/priority.*low.*normal.*high.*critical/s);
  });

  it("refuses an oversized description with 413", async () => {
    const body = JSON.stringify({ description: "x".repeat(100_001) });
    expect(await errorOf(await t.call("/api/v1/tasks", { method: "POST", body }))).toMatchObject({
      status: 413,
      code: "payload_too_large",
    });
    const huge = JSON.stringify({ description: "x".repeat(600_000) });
    expect(await errorOf(await t.call("/api/v1/tasks", { method: "POST", body: huge }))).toMatchObject({
      status: 413,
      code: "payload_too_large",
    });
  });

  it("answers 404 with a code for unknown tasks, agents and routes", async () => {
    expect(await errorOf(await t.call("/api/v1/tasks/task_nope"))).toMatchObject({
      status: 404,
      code: "task_not_found",
    });
    expect(await errorOf(await t.call("/api/v1/tasks/task_nope/cancel", { method: "POST" }))).toMatchObject({
      status: 404,
      code: "task_not_found",
    });
    expect(await errorOf(await t.call("/api/v1/agents/agent_nope"))).toMatchObject({
      status: 404,
      code: "agent_not_found",
    });
    expect(await errorOf(await t.call("/api/v1/nothing-here"))).toMatchObject({
      status: 404,
      code: "not_found",
    });
  });

  it("refuses an unknown role and lists the known ones", async () => {
    const error = await errorOf(
      await t.call("/api/v1/agents", { method: "POST", body: '{"role":"bakend"}' }),
    );
    expect(error).toMatchObject({ status: 400, code: "unknown_role" });
    expect(error.message).toContain('Unknown role "bakend"; known roles: coordinator, backend');
  });

  it("validates query parameters", async () => {
    const error = await errorOf(await t.call("/api/v1/tasks?limit=-1"));
    expect(error).toMatchObject({ status: 400, code: "bad_request" });
    const status = await errorOf(await t.call("/api/v1/tasks?status=done"));
    expect(status).toMatchObject({
      status: 400,
      code: "bad_request",
      message: expect.stringMatching(/known: queued, running/),
    });
    const since = await errorOf(await t.call("/api/v1/tasks?since=yesterday"));
    expect(since).toMatchObject({
      status: 400,
      code: "bad_request",
      message: expect.stringMatching(/ISO time/),
    });
  });

  it("pages task lists with a cursor and filters them by status and parent", async () => {
    const ended = [];
    for (const n of [1, 2, 3])
      ended.push((await t.client.createTaskAndWait({ description: `hi ${n}` })).task);
    const first = await t.call("/api/v1/tasks?limit=2");
    const cursor = first.headers.get("x-next-cursor");
    expect(((await first.json()) as { id: string }[]).map((task) => task.id)).toEqual([
      ended[2]!.id,
      ended[1]!.id,
    ]);
    expect(cursor).toMatch(/^\d+$/);
    const rest = await t.call(`/api/v1/tasks?limit=2&cursor=${cursor}`);
    expect(rest.headers.get("x-next-cursor")).toBeNull();
    expect(((await rest.json()) as { id: string }[]).map((task) => task.id)).toEqual([ended[0]!.id]);
    expect(await t.client.listTasks({ status: ["queued", "running"] })).toEqual([]);
    expect((await t.client.listTasks({ status: "completed", parent: "none" })).length).toBe(3);
  });

  it("spawns, lists and stops an agent", async () => {
    const agent = await t.client.spawnAgent("backend");
    expect(agent).toMatchObject({ role: "backend", state: "ready" });
    expect(agent.pid).toBeGreaterThan(0);
    expect((await t.client.listAgents()).map((a) => a.id)).toEqual([agent.id]);
    const stopped = await t.client.stopAgent(agent.id);
    expect(stopped.state).toBe("stopped");
    expect(() => process.kill(agent.pid!, 0)).toThrow();
  });

  it("runs a task on the Coordinator and reports usage, cost and timings", async () => {
    const { task, timed_out } = await t.client.createTaskAndWait({ description: "hello", wait: true });
    expect(timed_out).toBe(false);
    expect(task).toMatchObject({
      status: "completed",
      result: "echo: hello",
      num_turns: 1,
      agent_duration_ms: 5,
    });
    expect(task.usage).toMatchObject({ input_tokens: 10, output_tokens: 5 });
    expect(task.usage.cost_usd).toBeCloseTo(0.001);
    expect(task.duration_ms).toBeGreaterThanOrEqual(0);
    const agent = await t.client.getAgent(task.agent_id!);
    expect(agent).toMatchObject({ role: "coordinator", state: "ready", tasks_completed: 1 });
  });

  it("reuses the Coordinator for a follow-up task and counts this turn's cost only", async () => {
    const first = (await t.client.createTaskAndWait({ description: "one" })).task;
    const second = (await t.client.createTaskAndWait({ description: "two" })).task;
    expect(second.agent_id).toBe(first.agent_id);
    expect(second.session_id).toBe(first.session_id);
    expect(second.usage.cost_usd).toBeCloseTo(0.001);
    expect((await t.client.getAgent(first.agent_id!)).usage.cost_usd).toBeCloseTo(0.002);
  });

  it("answers 202 with a queued task when not waiting, and the task ends later", async () => {
    const response = await t.call("/api/v1/tasks", { method: "POST", body: '{"description":"later"}' });
    expect(response.status).toBe(202);
    const task = (await response.json()) as { id: string; status: string };
    expect(task.status).toBe("queued");
    const ended = await t.client.waitForTask(task.id, 10);
    expect(ended.status).toBe("completed");
  });

  it("returns timed_out with the running task when the wait runs out", async () => {
    const { task, timed_out } = await t.client.createTaskAndWait({ description: "hang", timeout_s: 0.2 });
    expect(timed_out).toBe(true);
    expect(task.status).toBe("running");
    const cancelled = await t.client.cancelTask(task.id);
    expect(cancelled.status).toBe("cancelled");
  });

  it("keeps waiting across several short HTTP waits until the task ends", async () => {
    const client = createDaemonClient({ baseUrl: t.daemon.url, token: t.daemon.token, waitChunkS: 0.05 });
    const { task, timed_out } = await client.createTaskAndWait({ description: "sleep 400", timeout_s: 10 });
    expect(timed_out).toBe(false);
    expect(task).toMatchObject({ status: "completed", result: "echo: sleep 400" });
  });

  it("cancels a running task by interrupting the turn, keeping the agent", async () => {
    const task = await t.client.createTask({ description: "hang" });
    await t.client.waitForTask(task.id, 0);
    await waitUntil(async () => (await t.client.getTask(task.id)).status === "running");
    const cancelled = await t.client.cancelTask(task.id);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "task_cancelled" } });
    const agent = await t.client.getAgent(cancelled.agent_id!);
    expect(agent.state).toBe("ready");
    const next = (await t.client.createTaskAndWait({ description: "after" })).task;
    expect(next).toMatchObject({ status: "completed", agent_id: agent.id, result: "echo: after" });
  });

  it("cancels a queued task at once and refuses to cancel a finished one", async () => {
    const running = await t.client.createTask({ description: "hang" });
    const queued = await t.client.createTask({ description: "queued" });
    expect((await t.client.cancelTask(queued.id)).status).toBe("cancelled");
    await t.client.cancelTask(running.id);
    const error = await errorOf(await t.call(`/api/v1/tasks/${queued.id}/cancel`, { method: "POST" }));
    expect(error).toMatchObject({ status: 409, code: "task_finished" });
  });

  it("runs higher priority tasks first", async () => {
    const blocker = await t.client.createTask({ description: "hang" });
    const low = await t.client.createTask({ description: "low", priority: "low" });
    const critical = await t.client.createTask({ description: "critical", priority: "critical" });
    await waitUntil(async () => (await t.client.getTask(blocker.id)).status === "running");
    await t.client.cancelTask(blocker.id);
    const lowDone = await t.client.waitForTask(low.id, 10);
    const criticalDone = await t.client.waitForTask(critical.id, 10);
    expect(Date.parse(criticalDone.started_at!)).toBeLessThanOrEqual(Date.parse(lowDone.started_at!));
  });

  it("fails a task with api_error when the API errs, and keeps serving", async () => {
    const { task } = await t.client.createTaskAndWait({ description: "api-error" });
    expect(task).toMatchObject({ status: "failed", error: { code: "api_error" } });
    expect(task.error?.message).toMatch(/HTTP 500/);
    expect((await t.client.createTaskAndWait({ description: "fine" })).task.status).toBe("completed");
  });

  it("fails a task with agent_crashed when Claude Code dies mid-turn and on its retry, then resumes its conversation", async () => {
    await t.client.createTaskAndWait({ description: "warm up" });
    const { task } = await t.client.createTaskAndWait({ description: "crash" });
    expect(task).toMatchObject({ status: "failed", error: { code: "agent_crashed" } });
    expect(task.error?.message).toMatch(/exited with code 3/);
    const crashed = await t.client.getAgent(task.agent_id!);
    expect(crashed.last_error?.message).toMatch(/restarting in its conversation/);
    const next = (await t.client.createTaskAndWait({ description: "again" })).task;
    expect(next.status).toBe("completed");
    // The same agent, in a new process, carrying on the same conversation.
    expect(next.agent_id).toBe(task.agent_id);
    expect(next.session_id).toBe(task.session_id);
    expect((await t.client.getAgent(next.agent_id!)).pid).not.toBe(crashed.pid);
  });

  it("records tool use in the activity view", async () => {
    const { task } = await t.client.createTaskAndWait({ description: "tool" });
    const activity = await t.client.activity();
    expect(activity.agents[0]?.last_tool).toMatchObject({ name: "Bash", summary: "Bash: npm test" });
    expect(activity.recent.map((event) => event.summary)).toContain("coordinator: running Bash: npm test");
    expect(
      activity.recent.some((event) => event.kind === "task.completed" && event.task_id === task.id),
    ).toBe(true);
  });

  it("streams activity as server-sent events", async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const event of t.client.events(controller.signal)) {
        seen.push(event.kind);
        if (event.kind === "task.completed") controller.abort();
      }
    })();
    await waitUntil(async () => true);
    await t.client.createTaskAndWait({ description: "streamed" });
    await reading.catch(() => {});
    expect(seen).toEqual(expect.arrayContaining(["task.queued", "task.started", "task.completed"]));
  });

  it("reports status totals", async () => {
    await t.client.createTaskAndWait({ description: "count me" });
    const status = await t.client.status();
    expect(status.tasks.by_status).toMatchObject({ completed: 1 });
    expect(status.agents).toMatchObject({ total: 1, max: 10 });
    expect(status.usage.input_tokens).toBe(10);
  });
});

describe("HTTP API when a crashed conversation cannot be resumed", () => {
  it("restarts the agent in a new conversation", async () => {
    const daemon = await startTestDaemon({
      config: { agents: { restart_backoff_ms: 5, restart_backoff_max_ms: 20 } },
      env: { ...process.env, FAKE_CLAUDE_RESUME_FAILS: "1" },
    });
    try {
      await daemon.client.createTaskAndWait({ description: "warm up" });
      const { task } = await daemon.client.createTaskAndWait({ description: "crash" });
      expect(task.error?.code).toBe("agent_crashed");
      const next = (await daemon.client.createTaskAndWait({ description: "again" })).task;
      expect(next).toMatchObject({ status: "completed", result: "echo: again", agent_id: task.agent_id });
      expect(next.session_id).not.toBe(task.session_id);
    } finally {
      await daemon.close();
    }
  });
});

describe("HTTP API with a missing Claude Code binary", () => {
  it("fails the task with claude_not_found and a fix, and keeps serving", async () => {
    const missing = await startTestDaemon({ claudePath: "/nonexistent/claude" });
    try {
      const { task } = await missing.client.createTaskAndWait({ description: "hello" });
      expect(task).toMatchObject({ status: "failed", error: { code: "claude_not_found" } });
      expect(task.error?.message).toMatch(/agents\.claude_path/);
      const error = await missing.client.spawnAgent("qa").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CcaError);
      expect((error as CcaError).code).toBe("claude_not_found");
      expect((await missing.client.health()).status).toBe("ok");
    } finally {
      await missing.close();
    }
  });
});
