import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ActivityEvent, ActivityEventSchema, readSseEvents } from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

const daemons: TestDaemon[] = [];
afterEach(async () => {
  for (const daemon of daemons.splice(0)) await daemon.close();
});

/** Restarts after a few ms: fast, and nothing waits on time. */
const FAST_RESTARTS = { restart_backoff_ms: 5, restart_backoff_max_ms: 20 };

/** Collects the daemon's activity events from the start (`?since=0`) until `done` says enough. */
async function eventsUntil(
  daemon: TestDaemon,
  done: (events: ActivityEvent[]) => boolean,
): Promise<ActivityEvent[]> {
  const abort = new AbortController();
  const events: ActivityEvent[] = [];
  try {
    const response = await daemon.call("/api/v1/events?since=0", { signal: abort.signal });
    for await (const { data } of readSseEvents(response.body!, abort.signal)) {
      events.push(ActivityEventSchema.parse(JSON.parse(data)));
      if (done(events)) return events;
    }
    throw new Error("the event stream ended before the events came");
  } finally {
    abort.abort();
  }
}

describe("a task whose agent crashes", () => {
  it("is retried once on the agent restarted in its session, and completes", async () => {
    const argsFile = join(mkdtempSync(join(tmpdir(), "cca-crash-")), "args.json");
    const t = await startTestDaemon({
      config: { agents: FAST_RESTARTS },
      env: { ...process.env, FAKE_CLAUDE_ARGS_FILE: argsFile },
    });
    daemons.push(t);
    const { task } = await t.client.createTaskAndWait({ description: "crash-unless-resumed" });
    expect(task).toMatchObject({ status: "completed" });
    expect(task.result).toMatch(/^echo: crash-unless-resumed/);
    expect(task.result).toContain("it was restarted in this conversation");
    const args = JSON.parse(readFileSync(argsFile, "utf8")) as string[];
    expect(args[args.indexOf("--resume") + 1]).toBe(task.session_id);
    const agents = await t.client.listAgents();
    expect(agents).toEqual([expect.objectContaining({ id: task.agent_id, state: "ready" })]);
    const events = await eventsUntil(t, (seen) => seen.some((event) => event.kind === "task.retried"));
    expect(events.filter((event) => event.kind === "agent.restarted")).toEqual([
      expect.objectContaining({
        agent_id: task.agent_id,
        summary: expect.stringMatching(/code 3; restarting/),
      }),
    ]);
    expect(events.find((event) => event.kind === "task.retried")).toMatchObject({
      task_id: task.id,
      agent_id: task.agent_id,
    });
  });

  it("fails, naming both crashes, when the retry crashes too; past its budget the agent stays failed", async () => {
    const t = await startTestDaemon({ config: { agents: { ...FAST_RESTARTS, restart_max: 1 } } });
    daemons.push(t);
    const { task } = await t.client.createTaskAndWait({ description: "crash" });
    expect(task).toMatchObject({ status: "failed", error: { code: "agent_crashed" } });
    expect(task.error?.message).toMatch(/crashed during the task and again during its one retry/);
    expect(task.error?.message).toMatch(/exited with code 3.*then .*exited with code 3/);
    const agent = await t.client.getAgent(task.agent_id!);
    expect(agent).toMatchObject({ state: "failed", last_error: { code: "agent_crashed" } });
    expect(agent.last_error?.message).toMatch(/not restarted again: it was restarted 1 times/);
  });
});

describe("the warm pool", () => {
  it("has its agents ready after start, serves tasks with no new start, and keeps the agent warm after", async () => {
    const t = await startTestDaemon({ config: { agents: { warm: { coordinator: 1 } } } });
    daemons.push(t);
    const [warm] = await eventsUntil(t, (seen) =>
      seen.some((event) => event.summary === "coordinator: ready"),
    );
    const warmId = warm!.agent_id!;
    const { task } = await t.client.createTaskAndWait({ description: "hello" });
    expect(task).toMatchObject({ status: "completed", agent_id: warmId });
    const events = await eventsUntil(
      t,
      (seen) => seen.filter((event) => event.summary === "coordinator: ready").length === 2,
    );
    // One start, before the task; none for it, and none after it: the agent is the pool's again.
    expect(events.filter((event) => event.kind === "agent.spawned").map((event) => event.agent_id)).toEqual([
      warmId,
    ]);
    expect(
      events.filter((event) => event.summary === "coordinator: ready").map((event) => event.agent_id),
    ).toEqual([warmId, warmId]);
    const second = await t.client.createTaskAndWait({ description: "again" });
    expect(second.task).toMatchObject({ status: "completed", agent_id: warmId });
  });

  it("counts within daemon.max_agents", async () => {
    const t = await startTestDaemon({
      config: { daemon: { max_agents: 2 }, agents: { warm: { coordinator: 2, backend: 2 } } },
    });
    daemons.push(t);
    await waitUntil(
      async () => (await t.client.listAgents()).filter((agent) => agent.state === "ready").length === 2,
    );
    const { task } = await t.client.createTaskAndWait({ description: "hello" });
    expect(task.status).toBe("completed");
    const agents = await t.client.listAgents();
    expect(agents.filter((agent) => agent.state !== "stopped").length).toBeLessThanOrEqual(2);
  });
});
