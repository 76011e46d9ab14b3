import type { Redis } from "ioredis";
import { connectRedis, quitRedis, type RedisConnectOptions } from "./connect.js";
import { RedisEventBus, type RedisEventBusOptions } from "./redis-event-bus.js";
import { RedisStateStore } from "./redis-state-store.js";

/** Options for the whole Redis backend of one daemon. */
export interface RedisBackendOptions
  extends RedisConnectOptions,
    Pick<RedisEventBusOptions, "publishTimeoutMs"> {
  /** Namespace for every channel and key; default `cca:`. */
  prefix?: string;
  onHandlerError?: (error: unknown, channel: string) => void;
}

/** A daemon's EventBus and StateStore on one Redis, sharing one command connection. */
export interface RedisBackend {
  readonly redis: Redis;
  readonly eventBus: RedisEventBus;
  readonly stateStore: RedisStateStore;
  /** Closes both and quits every connection they opened. */
  close(): Promise<void>;
}

/**
 * Connects to Redis at `url` (failing at once with a RedisUnreachableError if it cannot)
 * and builds the shared bus and store on it. Connections: one for commands, one for bus
 * subscriptions (opened on the first subscribe). The shared task queue is BullMQ's
 * (`@cca/core/bullmq`), with connections of its own.
 *
 * @example
 * const backend = await createRedisBackend(config.redis.url, { logger });
 * try { … } finally { await backend.close(); }
 */
export async function createRedisBackend(
  url: string,
  options: RedisBackendOptions = {},
): Promise<RedisBackend> {
  const redis = await connectRedis(url, { connectionName: "ccad", ...options });
  const eventBus = new RedisEventBus({ ...options, redis });
  const stateStore = new RedisStateStore({ ...options, redis });
  return {
    redis,
    eventBus,
    stateStore,
    close: async () => {
      await Promise.all([eventBus.close(), stateStore.close()]);
      await quitRedis(redis);
    },
  };
}
