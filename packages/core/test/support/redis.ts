import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { connectRedis, DEFAULT_REDIS_URL, RedisUnreachableError } from "../../src/redis/connect.js";

/** The Redis these tests use: `REDIS_URL`, else the local default. */
export const REDIS_URL = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;

/**
 * A connection to the test Redis. When there is none, fails (never skips): CI has Redis,
 * so a missing one is a broken machine, not a reason to pass.
 */
export async function requireRedis(): Promise<Redis> {
  try {
    return await connectRedis(REDIS_URL, { connectionName: "cca:test", connectTimeoutMs: 3_000 });
  } catch (error) {
    if (!(error instanceof RedisUnreachableError)) throw error;
    throw new Error(
      `These tests need a real Redis and none answers at ${error.url}. Start one with ` +
        `\`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no\` ` +
        "(or `docker compose up -d redis`), or point REDIS_URL at one.",
      { cause: error },
    );
  }
}

/** A key prefix no other test uses, so tests can run side by side on one Redis. */
export function uniquePrefix(): string {
  return `cca-test:${randomUUID().slice(0, 8)}:`;
}

/** Deletes every key under `prefix`. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 500);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== "0");
}

/** Real time passing, for behaviour that Redis measures by its own clock (TTL, idle time). */
export function elapse(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
