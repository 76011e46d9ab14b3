import { Redis, type RedisOptions } from "ioredis";
import { type Logger, noopLogger } from "../logger.js";
import { redactUrl } from "../redact-url.js";

/** The Redis that CCA uses when `redis.url` is set without a value of its own. */
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/** Options for opening a Redis connection. */
export interface RedisConnectOptions {
  /** Shown by `CLIENT LIST`, e.g. `ccad:bus`. */
  connectionName?: string;
  /** How long the first connection attempt may take; default 5 s. */
  connectTimeoutMs?: number;
  /** Receives connection errors after the first connect (ioredis reconnects on its own). */
  logger?: Logger;
}

/** Redis could not be reached when a connection was first opened. */
export class RedisUnreachableError extends Error {
  readonly code = "redis_unreachable";
  /** Where it looked, with any password hidden. */
  readonly url: string;

  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Cannot reach Redis at ${url} (${reason}). Check that Redis is running there and that redis.url ` +
        `(or CCA__REDIS__URL) points at it; to start one locally: redis-server --port 6379`,
      { cause },
    );
    this.name = "RedisUnreachableError";
    this.url = url;
  }
}

/** A Redis URL fit for messages and logs: the password, if any, is replaced by `***`. */
export const redactRedisUrl = redactUrl;

/**
 * Opens a connection and waits until Redis answers, or fails at once with a
 * RedisUnreachableError saying where it looked. Once connected, ioredis reconnects by
 * itself after a drop, and commands sent meanwhile wait for it.
 *
 * @example
 * const redis = await connectRedis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL, { connectionName: "ccad" });
 */
export async function connectRedis(url: string, options: RedisConnectOptions = {}): Promise<Redis> {
  const shown = redactRedisUrl(url);
  let client: Redis;
  try {
    client = new Redis(url, { ...baseOptions(options), lazyConnect: true });
  } catch (error) {
    throw new RedisUnreachableError(shown, error);
  }
  return await open(client, shown, options.logger ?? noopLogger);
}

/**
 * A second connection to the same Redis as `redis` (for subscribing, which takes a
 * connection over), opened and ready. The caller closes it.
 */
export async function duplicateRedis(redis: Redis, options: RedisConnectOptions = {}): Promise<Redis> {
  const { host, port, db } = redis.options;
  const client = redis.duplicate({ ...baseOptions(options), lazyConnect: true });
  return await open(client, `redis://${host}:${port}/${db ?? 0}`, options.logger ?? noopLogger);
}

/** Closes a connection politely (QUIT) and resolves once it is closed; at once if it is not connected. */
export async function quitRedis(redis: Redis): Promise<void> {
  if (redis.status === "end") return;
  if (redis.status !== "ready") {
    redis.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) => redis.once("end", () => resolve()));
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
  await ended;
}

/** The name for a helper connection of `redis`, e.g. `ccad:bus-subscriber`. */
export function helperConnectionName(redis: Redis, role: string): string {
  return `${redis.options.connectionName ?? "cca"}:${role}`;
}

function baseOptions(options: RedisConnectOptions): RedisOptions {
  return {
    connectionName: options.connectionName,
    connectTimeout: options.connectTimeoutMs ?? 5_000,
    // Retry only once connected: a first attempt that fails is reported, not retried forever.
    retryStrategy: () => null,
  };
}

async function open(client: Redis, url: string, logger: Logger): Promise<Redis> {
  let lastError: unknown;
  let connected = false;
  client.on("error", (error: unknown) => {
    lastError = error;
    if (connected) logger.warn("redis connection error", { url, error });
  });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw new RedisUnreachableError(url, lastError ?? error);
  }
  connected = true;
  client.options.retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);
  client.on("reconnecting", () => logger.info("redis reconnecting", { url }));
  return client;
}
