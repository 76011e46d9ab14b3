import type { Task } from "@cca/core";
import { BullmqTaskScheduler } from "@cca/core/bullmq";
import { TaskRepository } from "@cca/memory";
import { afterEach, describe, expect, it } from "vitest";
import { scratchPrefix, startDaemonProcess } from "./daemon-process.js";
import { scratchPostgres } from "./scratch-postgres.js";
import { REDIS_URL } from "./shared-work.js";
import { busyCoordinator, startTestDaemon, waitUntil } from "./support.js";

const LOCK_MS = 1_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// Parts are child jobs of their task's job (BullMQ flows): any daemon may run one.
/** The ended part of a delegation (the merge is another test's). */
const partOf = (ended: { task: Task }) => ended.task;

describe("the parts of a task, shared by daemons", { timeout: 60_000 }, () => {
  it("run again on another daemon when theirs is killed mid-run, while their task goes on", async () => {
    const scratch = await scratchPostgres();
    cleanups.push(scratch.drop);
    const prefix = scratchPrefix(cleanups);
    const tasks = new TaskRepository(scratch.database);
    // Daemon A runs one part at a time, so with its slot taken the next part goes to B.
    const a = await startTestDaemon({
      name: "daemon-a",
      database: scratch.database,
      scheduler: new BullmqTaskScheduler({
        backend: "redis",
        url: REDIS_URL,
        prefix,
        lockDurationMs: LOCK_MS,
        partConcurrency: 1,
        retryBaseMs: 50,
      }),
      config: { daemon: { reconcile_interval_ms: 200, stale_daemon_ms: 2_000 } },
    });
    cleanups.push(() => a.close());
    const { parent, coordinatorId } = await busyCoordinator(a);
    let busyPart = "";
    const first = a.daemon.orchestrator
      .delegate(
        coordinatorId,
        { role: "backend", task: "sleep 3000" },
        {
          onCreated: (part) => {
            busyPart = part.id;
          },
        },
      )
      .then(partOf);
    await waitUntil(async () => (await tasks.runState(busyPart))?.task.agent_id != null, 10_000);

    const b = await startDaemonProcess(
      { name: "daemon-b", postgresUrl: scratch.url, prefix, lockDurationMs: LOCK_MS },
      cleanups,
    );
    let orphanPart = "";
    const second = a.daemon.orchestrator
      .delegate(
        coordinatorId,
        { role: "qa", task: "sleep 600000" },
        {
          onCreated: (part) => {
            orphanPart = part.id;
          },
        },
      )
      .then(partOf);
    await waitUntil(async () => {
      const state = await tasks.runState(orphanPart);
      return state?.owner === "daemon-b" && state.task.agent_id !== null;
    }, 15_000);
    await b.kill();

    expect(await first).toMatchObject({ status: "completed", result: "echo: sleep 3000" });
    // B's lock on the part runs out; A's part slot is free again and takes it over.
    const resumed = await second;
    expect(resumed).toMatchObject({ status: "completed", parent_id: parent.id });
    expect(resumed.result).toMatch(/your earlier work on this task was cut short/);
    expect(await tasks.runState(orphanPart)).toMatchObject({ owner: "daemon-a", attempts: 2 });
    expect((await a.client.getTask(parent.id)).status).toBe("running");

    // The task's end waits for no part now: it ends, and A's line moves on.
    await a.client.cancelTask(parent.id);
    const next = await a.client.createTask({ description: "after the flow" });
    expect(await a.client.waitForTask(next.id, 15)).toMatchObject({ status: "completed" });
  });
});
