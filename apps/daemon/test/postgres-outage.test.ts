import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ScratchPostgres, scratchPostgres } from "./scratch-postgres.js";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

// PostgreSQL goes away under a running daemon, as in a failover or a restart of the server:
// its database stops taking connections and every session on it is ended. The shared
// server stays up for the other tests; only this test's database is cut off. The daemon
// must stay up, answer every request (503 naming PostgreSQL, never a dropped connection),
// say so in /health, and pick up where it was once the database is back.

let scratch: ScratchPostgres;
let daemon: TestDaemon | undefined;
let cut = false;
/** Unhandled rejections and uncaught errors while a test runs: each one is a daemon bug. */
const escaped: unknown[] = [];
const onEscaped = (reason: unknown) => escaped.push(reason);

beforeEach(async () => {
  process.on("unhandledRejection", onEscaped);
  process.on("uncaughtExceptionMonitor", onEscaped);
  scratch = await scratchPostgres();
});
afterEach(async () => {
  if (cut) await restore();
  await daemon?.close();
  daemon = undefined;
  await scratch.drop();
  process.off("unhandledRejection", onEscaped);
  process.off("uncaughtExceptionMonitor", onEscaped);
  escaped.length = 0;
});

async function cutOff(): Promise<void> {
  cut = true;
  await scratch.admin(`alter database ${scratch.name} allow_connections false`);
  await scratch.admin(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${scratch.name}'`,
  );
}

async function restore(): Promise<void> {
  await scratch.admin(`alter database ${scratch.name} allow_connections true`);
  cut = false;
}

async function start(): Promise<TestDaemon> {
  daemon = await startTestDaemon({
    database: scratch.database,
    config: { daemon: { reconcile_interval_ms: 200 } },
  });
  return daemon;
}

const UNAVAILABLE = {
  error: {
    code: "dependency_unavailable",
    message: expect.stringMatching(/^PostgreSQL at postgres:\/\/\S+ is unavailable: /),
    details: { dependency: "postgres", location: expect.stringMatching(/^postgres:\/\//) },
  },
};

describe("PostgreSQL cut off under a running daemon", { timeout: 30_000 }, () => {
  it("answers 503 dependency_unavailable naming PostgreSQL, reports itself degraded, and works again once it is back", async () => {
    const { call, client } = await start();
    expect((await client.createTaskAndWait({ description: "before the outage" })).task.status).toBe(
      "completed",
    );

    await cutOff();
    // Twice each: the first may meet a pooled connection the server has just ended, the
    // second needs a new one, which the server refuses.
    for (let round = 0; round < 2; round += 1) {
      const created = await call("/api/v1/tasks", {
        method: "POST",
        body: JSON.stringify({ description: "during the outage" }),
      });
      expect(created.status).toBe(503);
      expect(await created.json()).toEqual(UNAVAILABLE);
      const listed = await call("/api/v1/tasks");
      expect(listed.status).toBe(503);
      expect(await listed.json()).toEqual(UNAVAILABLE);
    }
    const health = await call("/health");
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: "degraded",
      dependencies: {
        database: { kind: "postgres", up: false, error: expect.stringContaining("PostgreSQL") },
      },
    });

    await restore();
    await waitUntil(async () => (await client.health()).status === "ok", 10_000);
    const { task: after } = await client.createTaskAndWait({ description: "after the outage" });
    expect(after).toMatchObject({ status: "completed", result: "echo: after the outage" });
    expect((await client.listTasks()).map((task) => task.description)).toEqual([
      "after the outage",
      "before the outage",
    ]);
    expect(escaped).toEqual([]);
  });

  it("ends a task that was running when PostgreSQL went away once it is back", async () => {
    const { client, daemon: running } = await start();
    const task = await client.createTask({ description: "sleep 1500" });
    const onTask = () => running.agents.list().some((agent) => agent.current_task_id === task.id);
    // Its turn has begun: the agent is recorded, and what is left to store is the end.
    await waitUntil(async () => onTask() && (await client.getTask(task.id)).agent_id !== null);

    await cutOff();
    // The turn ends while nothing can be stored: its end has to wait for the database.
    await waitUntil(async () => !onTask());
    await restore();

    // Not failed for want of a record: handed out again, it resumes and ends.
    expect(await client.waitForTask(task.id, 20)).toMatchObject({ status: "completed", error: null });
    expect(escaped).toEqual([]);
  });
});
