import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  dropSchema,
  type PgClient,
  POSTGRES_URL,
  requirePostgres,
  uniqueSchema,
} from "../../test/support/postgres.js";
import { within } from "../../test/support/wait.js";
import { noopLogger } from "../logger.js";
import type { RunOutcome } from "../scheduler/task-scheduler.js";
import { type ConsumerWorker, type ProducerQueue, postgresBackend } from "./backends.js";
import { isConnectionFailure } from "./failures.js";

/** BullMQ's lock on migrating one schema (`MIGRATION_ADVISORY_LOCK_KEY` in its migrator). */
const MIGRATION_LOCK_KEY = 0x42554c4c;
const WAIT_MS = 10_000;

describe("BullMQ on PostgreSQL when connections are lost", { timeout: 30_000 }, () => {
  let admin: PgClient;
  let schema: string;
  /** Uncaught errors while a test runs: each one would take a daemon down. */
  const escaped: unknown[] = [];
  const onEscaped = (error: unknown) => escaped.push(error);
  const opened: { close(): Promise<void> }[] = [];
  const connectionErrors: Error[] = [];

  beforeEach(async () => {
    process.on("uncaughtExceptionMonitor", onEscaped);
    admin = await requirePostgres();
    schema = uniqueSchema();
  });
  afterEach(async () => {
    try {
      for (const each of opened.splice(0).reverse()) await each.close().catch(() => {});
      await dropSchema(admin, schema);
      await admin.end();
    } finally {
      process.off("uncaughtExceptionMonitor", onEscaped);
      escaped.length = 0;
      connectionErrors.length = 0;
    }
  });

  const backend = () => postgresBackend(POSTGRES_URL, schema, { connectTimeoutMs: 2_000 }, noopLogger);
  const openQueue = (queueName: string): ProducerQueue => {
    const queue = backend().openQueue(queueName, (error) => connectionErrors.push(error));
    opened.push(queue);
    return queue;
  };
  /** A worker (not yet running) and a way to wait until it has run a task. */
  const openWorker = (queueName: string) => {
    const runs = new Map<string, { done: Promise<void>; record(): void }>();
    const runOf = (taskId: string) => {
      let run = runs.get(taskId);
      if (!run) {
        let record = () => {};
        const done = new Promise<void>((resolve) => {
          record = resolve;
        });
        run = { done, record };
        runs.set(taskId, run);
      }
      return run;
    };
    const worker: ConsumerWorker = backend().openWorker(
      queueName,
      async (job): Promise<RunOutcome> => {
        runOf(job.data.taskId).record();
        return "ended";
      },
      { autorun: false, runRetryDelay: 100 },
      {
        onError: (error) => connectionErrors.push(error),
        onStalled: () => {},
        onLockRenewalFailed: () => {},
      },
    );
    opened.push(worker);
    const ran = (taskId: string) => within(runOf(taskId).done, WAIT_MS, () => `the worker to run ${taskId}`);
    return { worker, ran };
  };
  /** Ends the server sessions of `queueName`'s connections that match `where`; how many it ended. */
  const terminate = async (queueName: string, where = "true") => {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE $1 AND ${where}`,
      [`cca:${queueName}:%`],
    );
    return rowCount ?? 0;
  };
  /** Adds `taskId` once the queue's pool has let go of its dead connections. */
  const addOnceUp = (queue: ProducerQueue, taskId: string) =>
    within(
      (async () => {
        for (;;) {
          try {
            return await queue.add(taskId, {});
          } catch (error) {
            if (!isConnectionFailure(error)) throw error;
          }
        }
      })(),
      WAIT_MS,
      () => `${taskId} to be added`,
    );

  it("raises no uncaught error when the idle connections of a queue and its worker are ended, and both go on", async () => {
    const queue = openQueue("idle");
    await queue.ready();
    const { worker, ran } = openWorker("idle");
    await worker.ready();
    void worker.run();
    await queue.add("before", {});
    await ran("before");

    expect(await terminate("idle")).toBeGreaterThan(0);
    await addOnceUp(queue, "after");
    await ran("after");

    expect(escaped).toEqual([]);
    expect(connectionErrors.length).toBeGreaterThan(0);
  });

  it("raises no uncaught error when the connections of a queue and a worker are ended while they set up the schema", async () => {
    // Holding BullMQ's migration lock keeps both waiting in the middle of their setup, on a
    // client checked out of their pool.
    const holder = await requirePostgres();
    try {
      await holder.query("BEGIN");
      await holder.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_KEY, schema]);
      const queue = openQueue("setup");
      const { worker } = openWorker("setup");
      const queueReady = queue.ready().then(
        () => "ready",
        (error: unknown) => error,
      );
      const workerReady = worker.ready().then(
        () => "ready",
        (error: unknown) => error,
      );
      await within(
        (async () => {
          while ((await admin.query(lockWaiters, ["cca:setup:%"])).rows.length < 2);
        })(),
        WAIT_MS,
        () => "the queue and the worker to wait for the migration lock",
      );

      expect(await terminate("setup", "wait_event_type = 'Lock'")).toBe(2);

      for (const outcome of [await queueReady, await workerReady]) {
        expect(isConnectionFailure(outcome), String(outcome)).toBe(true);
      }
      expect(escaped).toEqual([]);
    } finally {
      await holder.end();
    }

    // BullMQ keeps a failed setup for good: new ones take over (as the scheduler does).
    const queue = openQueue("setup");
    await queue.ready();
    const { worker, ran } = openWorker("setup");
    await worker.ready();
    void worker.run();
    await queue.add("after", {});
    await ran("after");
    expect(escaped).toEqual([]);
  });
});

const lockWaiters =
  "SELECT pid FROM pg_stat_activity WHERE application_name LIKE $1 AND wait_event_type = 'Lock'";
