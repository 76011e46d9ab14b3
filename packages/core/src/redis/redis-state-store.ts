import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { checkTtl, decodeValue, encodeValue } from "../state/json-value.js";
import type { Lock, SetOptions, StateStore } from "../state/state-store.js";
import { connectRedis, quitRedis, type RedisConnectOptions } from "./connect.js";
import { luaScript, runLuaScript } from "./lua-script.js";

/** Options for a RedisStateStore on a connection the caller owns. */
export interface RedisStateStoreOptions {
  redis: Redis;
  /** Whether `close()` also quits `redis`; default false (the caller owns it). */
  closeRedis?: boolean;
  /** Values live at `<prefix>state:<key>`, locks at `<prefix>lock:<resource>`; default `cca:`. */
  prefix?: string;
}

// ARGV: expect absent ("1") or not, expected JSON, next JSON, ttl ms ("" for none).
const COMPARE_AND_SET = luaScript(`
local current = redis.call('GET', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
if ARGV[4] == '' then
  redis.call('SET', KEYS[1], ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[4])
end
return 1
`);

// Delete or extend the lock only if it still holds this holder's token.
const RELEASE_LOCK = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

const EXTEND_LOCK = luaScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
`);

/**
 * The StateStore shared by several daemons, on Redis: JSON values under `<prefix>state:`,
 * time to live with PX, compare-and-set in one Lua script, and locks as `SET NX PX` with a
 * random token that a Lua compare-and-delete checks before release or extend.
 *
 * @example
 * const store = await RedisStateStore.fromUrl("redis://127.0.0.1:6379");
 * await store.set("agent:a1", { state: "idle" }, { ttlMs: 30_000 });
 */
export class RedisStateStore implements StateStore {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #valuePrefix: string;
  readonly #lockPrefix: string;

  /** A store on its own connection, which `close()` quits. */
  static async fromUrl(
    url: string,
    options: Omit<RedisStateStoreOptions, "redis"> & RedisConnectOptions = {},
  ): Promise<RedisStateStore> {
    const redis = await connectRedis(url, { connectionName: "cca:state", ...options });
    return new RedisStateStore({ ...options, redis, closeRedis: true });
  }

  constructor(options: RedisStateStoreOptions) {
    this.#redis = options.redis;
    this.#ownsRedis = options.closeRedis ?? false;
    const prefix = options.prefix ?? "cca:";
    this.#valuePrefix = `${prefix}state:`;
    this.#lockPrefix = `${prefix}lock:`;
  }

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const text = await this.#redis.get(this.#valuePrefix + key);
    return text === null ? undefined : decodeValue<T>(key, text);
  }

  async set(key: string, value: unknown, options: SetOptions = {}): Promise<void> {
    const text = encodeValue(key, value);
    if (options.ttlMs === undefined) await this.#redis.set(this.#valuePrefix + key, text);
    else await this.#redis.set(this.#valuePrefix + key, text, "PX", checkTtl(options.ttlMs, `set("${key}")`));
  }

  async setIfAbsent(key: string, value: unknown, options: SetOptions = {}): Promise<boolean> {
    const text = encodeValue(key, value);
    const reply =
      options.ttlMs === undefined
        ? await this.#redis.set(this.#valuePrefix + key, text, "NX")
        : await this.#redis.set(
            this.#valuePrefix + key,
            text,
            "PX",
            checkTtl(options.ttlMs, `set("${key}")`),
            "NX",
          );
    return reply === "OK";
  }

  async compareAndSet(
    key: string,
    expected: unknown,
    next: unknown,
    options: SetOptions = {},
  ): Promise<boolean> {
    const nextText = encodeValue(key, next);
    const ttl = options.ttlMs === undefined ? "" : checkTtl(options.ttlMs, `compareAndSet("${key}")`);
    const absent = expected === undefined;
    const reply = await runLuaScript(
      this.#redis,
      COMPARE_AND_SET,
      [this.#valuePrefix + key],
      [absent ? "1" : "0", absent ? "" : encodeValue(key, expected), nextText, ttl],
    );
    return reply === 1;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#redis.del(this.#valuePrefix + key)) === 1;
  }

  async keys(prefix: string): Promise<string[]> {
    const pattern = `${escapeGlob(this.#valuePrefix + prefix)}*`;
    const found = new Set<string>();
    let cursor = "0";
    do {
      const [next, batch] = await this.#redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
      for (const key of batch) found.add(key.slice(this.#valuePrefix.length));
      cursor = next;
    } while (cursor !== "0");
    return [...found].sort();
  }

  async expire(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#redis.pexpire(this.#valuePrefix + key, checkTtl(ttlMs, `expire("${key}")`))) === 1;
  }

  async acquireLock(resource: string, ttlMs: number): Promise<Lock | undefined> {
    const ttl = checkTtl(ttlMs, `acquireLock("${resource}")`);
    const key = this.#lockPrefix + resource;
    const token = randomUUID();
    if ((await this.#redis.set(key, token, "PX", ttl, "NX")) !== "OK") return undefined;
    const redis = this.#redis;
    return {
      resource,
      token,
      release: async () => (await runLuaScript(redis, RELEASE_LOCK, [key], [token])) === 1,
      extend: async (nextTtlMs = ttl) =>
        (await runLuaScript(
          redis,
          EXTEND_LOCK,
          [key],
          [token, checkTtl(nextTtlMs, `extend lock "${resource}"`)],
        )) === 1,
    };
  }

  /** Quits the connection if the store opened it (`fromUrl` or `closeRedis`). */
  async close(): Promise<void> {
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }
}

/** Escapes the characters SCAN MATCH treats as a glob. */
function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, "\\$&");
}
