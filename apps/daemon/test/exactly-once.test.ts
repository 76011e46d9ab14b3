import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import {
  createDaemonClient,
  type RunHandler,
  readAccessToken,
  type ScheduledRun,
  type TaskScheduler,
} from "@cca/core";
import { BullmqTaskScheduler } from "@cca/core/bullmq";
import { connectRedis } from "@cca/core/redis";
import { TaskRepository } from "@cca/memory";
import { afterEach, describe, expect, it } from "vitest";
import { scratchPostgres } from "./scratch-postgres.js";
import { REDIS_URL } from "./shared-work.js";
import { FAKE_CLAUDE, startTestDaemon, type TestDaemon } from "./support.js";

const FIXTURE = fileURLToPath(new URL("./fixtures/dies-after-end.ts", import.meta.url));
const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));
const LOCK_MS = 1_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Runs test/fixtures/dies-after-end.ts; resolves with its URL and the task it ended before dying. */
async function startDoomedDaemon(options: Record<string, unknown>) {
  const child = spawn(process.execPath, ["--import", "tsx", FIXTURE], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, CCA_DOOMED_DAEMON: JSON.stringify(options) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const died = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  let ended: (id: string) => void = () => {};
  const endedTask = new Promise<string>((resolve) => {
    ended = resolve;
  });
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const message = JSON.parse(line) as { ready?: string; ended?: string };
      if (message.ready) resolve(message.ready);
      if (message.ended) ended(message.ended);
    });
    void died.then(() => reject(new Error(`the doomed daemon exited before it was ready: ${stderr}`)));
  });
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await died;
  });
  return { url, endedTask, died };
}

/** A scheduler that tells the test every run it handed out, once its handler has returned. */
function recording(inner: TaskScheduler, runs: (ScheduledRun & { outcome: string })[]): TaskScheduler {
  return {
    enqueue: (entry) => inner.enqueue(entry),
    remove: (taskId) => inner.remove(taskId),
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
    const prefix = `cca-once-${process.pid}-${Date.now()}:`;
    cleanups.push(async () => {
      const redis = await connectRedis(REDIS_URL);
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const home = mkdtempSync(join(tmpdir(), "ccad-doomed-"));
    cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
    const doomed = await startDoomedDaemon({
      postgresUrl,
      redisUrl: REDIS_URL,
      prefix,
      home,
      claudePath: FAKE_CLAUDE,
      lockDurationMs: LOCK_MS,
    });
    const client = createDaemonClient({ baseUrl: doomed.url, token: readAccessToken({ CCA_HOME: home })! });
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
