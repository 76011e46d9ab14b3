import { join } from "node:path";
import { type Config, type EventBus, LocalTaskScheduler, type Logger, type TaskScheduler } from "@cca/core";
import { type Database, migrate, openDatabase } from "@cca/memory";

/** The daemon's durable collaborators, chosen by configuration. */
export interface DaemonStorage {
  database: Database;
  scheduler: TaskScheduler;
  /** The shared bus when Redis is configured; else none (the daemon makes an in-memory one). */
  bus?: EventBus;
  busKind: "memory" | "redis";
  close(): Promise<void>;
}

/**
 * Opens the database (PostgreSQL at `postgres.url`, else PGlite under `$CCA_HOME/data`),
 * applies the migrations, and picks the scheduler: BullMQ on Redis when `redis.url` is
 * set, BullMQ on PostgreSQL when only `postgres.url` is (daemons on one database share
 * work), else in process.
 */
export async function openDaemonStorage(options: {
  config: Config;
  home: string;
  name: string;
  logger: Logger;
}): Promise<DaemonStorage> {
  const { config, logger } = options;
  if (config.redis.url && !config.postgres.url) {
    throw new Error(
      "redis.url makes daemons share the task queue, and their task records must be shared too: set postgres.url (a PostgreSQL server with pgvector, e.g. from docker-compose.yml) as well, or unset redis.url",
    );
  }
  const database = await openDatabase({
    postgresUrl: config.postgres.url || undefined,
    dataDir: config.postgres.url ? undefined : join(options.home, "data"),
    poolSize: config.postgres.pool_size,
    logger,
  });
  try {
    await migrate(database, { logger });
  } catch (error) {
    await database.close();
    throw error;
  }
  const lockDurationMs = config.redis.claim_idle_ms;
  // A daemon takes as many parts at a time as it has agent slots.
  const partConcurrency = config.daemon.max_agents;
  const taskConcurrency = config.daemon.max_parallel_tasks;
  let scheduler: TaskScheduler;
  let bus: EventBus | undefined;
  try {
    if (config.redis.url) {
      // Loaded only when configured: BullMQ and ioredis cost a daemon on PGlite a quarter second at start.
      const { BullmqTaskScheduler } = await import("@cca/core/bullmq");
      const { connectRedis, RedisEventBus } = await import("@cca/core/redis");
      scheduler = new BullmqTaskScheduler({
        backend: "redis",
        url: config.redis.url,
        prefix: config.redis.key_prefix,
        lockDurationMs,
        partConcurrency,
        taskConcurrency,
        daemonName: options.name,
        logger,
      });
      const redis = await connectRedis(config.redis.url, { connectionName: options.name, logger });
      bus = new RedisEventBus({ redis, closeRedis: true, prefix: config.redis.key_prefix, logger });
    } else if (config.postgres.url) {
      const { BullmqTaskScheduler } = await import("@cca/core/bullmq");
      scheduler = new BullmqTaskScheduler({
        backend: "postgres",
        url: config.postgres.url,
        lockDurationMs,
        partConcurrency,
        taskConcurrency,
        daemonName: options.name,
        logger,
      });
    } else {
      scheduler = new LocalTaskScheduler({ logger, partConcurrency, taskConcurrency });
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  return {
    database,
    scheduler,
    bus,
    busKind: bus ? "redis" : "memory",
    close: () => database.close(),
  };
}
