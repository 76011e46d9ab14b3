import {
  createDaemonClient,
  type RunHandler,
  readAccessToken,
  type ScheduledRun,
  type TaskScheduler,
} from "@cca/core";
import { BullmqTaskScheduler } from "@cca/core/bullmq";
import { TaskRepository } from "@cca/memory";
import { afterEach, describe, expect, it } from "vitest";
import { scratchPrefix, startDaemonProcess } from "./daemon-process.js";
import { scratchPostgres } from "./scratch-postgres.js";
import { REDIS_URL } from "./shared-work.js";
import { startTestDaemon, type TestDaemon } from "./support.js";

const LOCK_MS = 1_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scheduler that tells the test every run it handed out, once its handler has returned. */
function recording(inner: TaskScheduler, runs: (ScheduledRun & { outcome: string })[]): TaskScheduler {
  return {
    enqueue: (entry) => inner.enqueue(entry),
    remove: (taskId, where) => inner.remove(taskId, where),
    stop: () => inner.stop(),
    health: () => inner.health(),
    start: (handler: RunHandler) =>
      inner.start(async (run) => {
        const outcome = await handler(run);
        runs.push({ ...run, outcome });
        return outcome;
      }),
  };
}

describe("a task whose daemon died right after the work finished", { timeout: 40_000 }, () => {
  it("is handed out again, recognised as completed, and never run a second time", async () => {
    const scratch = await scratchPostgres();
    cleanups.push(scratch.drop);
    const { url: postgresUrl, database } = scratch;
    const prefix = scratchPrefix(cleanups);
    const doomed = await startDaemonProcess(
      { name: "doomed", postgresUrl, prefix, lockDurationMs: LOCK_MS, dieAfterFirstEnd: true },
      cleanups,
    );
    const client = createDaemonClient({
      baseUrl: doomed.url,
      token: readAccessToken({ CCA_HOME: doomed.home })!,
    });
    const task = await client.createTask({ description: "once only" });
    expect(await doomed.endedTask).toBe(task.id);
    expect(await doomed.died).toBe("SIGKILL");

    const runs: (ScheduledRun & { outcome: string })[] = [];
    const survivor: TestDaemon = await startTestDaemon({
      database,
      name: "survivor",
      scheduler: recording(
        new BullmqTaskScheduler({ backend: "redis", url: REDIS_URL, prefix, lockDurationMs: LOCK_MS }),
        runs,
      ),
    });
    cleanups.push(() => survivor.close());
    // The job was still BullMQ's: its lock runs out, and the survivor is handed it again.
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error("the task was never handed out again")), 20_000);
      const look = setInterval(() => {
        if (runs.some((run) => run.taskId === task.id)) {
          clearInterval(look);
          clearTimeout(deadline);
          resolve();
        }
      }, 50);
    });
    const redelivery = runs.find((run) => run.taskId === task.id);
    expect(redelivery?.attempt).toBeGreaterThan(1);
    expect(redelivery?.outcome).toBe("ended");
    const state = await new TaskRepository(database).runState(task.id);
    expect(state).toMatchObject({
      owner: "doomed",
      attempts: 1,
      task: { status: "completed", result: "echo: once only" },
    });
  });
});
