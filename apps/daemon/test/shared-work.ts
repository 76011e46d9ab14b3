import { randomBytes } from "node:crypto";
import { InMemoryEventBus } from "@cca/core";
import { BullmqTaskScheduler } from "@cca/core/bullmq";
import { connectRedis } from "@cca/core/redis";
import type { Database } from "@cca/memory";
import { memoryDatabase, startTestDaemon, type TestDaemon } from "./support.js";

/** The Redis the tests use: `$REDIS_URL`, else the machine's (`pnpm test` starts it). */
export const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
/** Short, so that work a daemon left is taken over within a test. */
export const TEST_LOCK_MS = 1_000;

/**
 * Daemons in this process that share work as separate machines would: one database (the
 * task records), one BullMQ queue on Redis under a prefix of their own, one bus.
 */
export class SharedWork {
  readonly prefix = `cca-test-${randomBytes(4).toString("hex")}:`;
  readonly bus = new InMemoryEventBus();
  readonly daemons: TestDaemon[] = [];
  #database: Database | null = null;

  async database(): Promise<Database> {
    this.#database ??= await memoryDatabase();
    return this.#database;
  }

  /** A daemon named `name` on the shared database, queue and bus. */
  async start(name: string, config: { on_restart?: "resume" | "interrupt" } = {}): Promise<TestDaemon> {
    const scheduler = new BullmqTaskScheduler({
      backend: "redis",
      url: REDIS_URL,
      prefix: this.prefix,
      lockDurationMs: TEST_LOCK_MS,
      timeoutMs: 2_000,
      retryBaseMs: 50,
      daemonName: name,
    });
    const daemon = await startTestDaemon({
      name,
      bus: this.bus,
      database: await this.database(),
      scheduler,
      config: { daemon: { reconcile_interval_ms: 200, stale_daemon_ms: 2_000, ...config } },
    });
    this.daemons.push(daemon);
    return daemon;
  }

  /** Stops every daemon, deletes the queue's keys and closes the database. */
  async close(): Promise<void> {
    await Promise.all(this.daemons.splice(0).map((daemon) => daemon.close()));
    const redis = await connectRedis(REDIS_URL);
    const keys = await redis.keys(`${this.prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    await this.#database?.close();
  }
}
