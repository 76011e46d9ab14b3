import type { Redis } from "ioredis";
import type { TaskQueueOptions } from "../queue/task-queue.js";
import { connectRedis, quitRedis, type RedisConnectOptions } from "./connect.js";
import { RedisEventBus } from "./redis-event-bus.js";
import { RedisStateStore } from "./redis-state-store.js";
import { RedisTaskQueue } from "./redis-task-queue.js";

/** Options for the whole Redis backend of one daemon. */
export interface RedisBackendOptions extends RedisConnectOptions, TaskQueueOptions {
  /** Namespace for every channel, key and stream; default `cca:`. */
  prefix?: string;
  /** The task queue's consumer group; default `ccad`. */
  group?: string;
  onHandlerError?: (error: unknown, channel: string) => void;
}

/** A daemon's EventBus, StateStore and TaskQueue on one Redis, sharing one command connection. */
export interface RedisBackend {
  readonly redis: Redis;
  readonly eventBus: RedisEventBus;
  readonly stateStore: RedisStateStore;
  readonly taskQueue: RedisTaskQueue;
  /** Closes the three and quits every connection they opened. */
  close(): Promise<void>;
}

/**
 * Connects to Redis at `url` (failing at once with a RedisUnreachableError if it cannot)
 * and builds the shared bus, store and queue on it. Connections: one for commands, one
 * for bus subscriptions (opened on the first subscribe), one for queue wake-ups (on the
 * first blocking claim).
 *
 * @example
 * const backend = await createRedisBackend(config.redis.url, { logger, minIdleMs: 60_000 });
 * try { … } finally { await backend.close(); }
 */
export async function createRedisBackend(
  url: string,
  options: RedisBackendOptions = {},
): Promise<RedisBackend> {
  const redis = await connectRedis(url, { connectionName: "ccad", ...options });
  const eventBus = new RedisEventBus({ ...options, redis });
  const stateStore = new RedisStateStore({ ...options, redis });
  const taskQueue = new RedisTaskQueue({ ...options, redis });
  return {
    redis,
    eventBus,
    stateStore,
    taskQueue,
    close: async () => {
      await Promise.all([eventBus.close(), stateStore.close(), taskQueue.close()]);
      await quitRedis(redis);
    },
  };
}
