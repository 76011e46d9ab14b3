import { createServer } from "node:net";
import type { Redis } from "ioredis";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectRedis, quitRedis, RedisUnreachableError, redactRedisUrl } from "../src/redis/connect.js";
import { createRedisBackend, type RedisBackend } from "../src/redis/redis-backend.js";
import { RedisEventBus } from "../src/redis/redis-event-bus.js";
import { Collector } from "./support/collector.js";
import { deleteKeysUnder, REDIS_URL, requireRedis, uniquePrefix } from "./support/redis.js";

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

describe("connectRedis", () => {
  it("fails at once with the URL and what to check when nothing listens there", async () => {
    const port = await closedPort();
    const error = await connectRedis(`redis://127.0.0.1:${port}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RedisUnreachableError);
    expect(error).toMatchObject({ code: "redis_unreachable", url: `redis://127.0.0.1:${port}` });
    expect((error as Error).message).toMatch(
      new RegExp(
        `Cannot reach Redis at redis://127.0.0.1:${port} \\(connect ECONNREFUSED.*redis.url.*redis-server`,
      ),
    );
  });

  it("hides the password of the URL in its error", async () => {
    const port = await closedPort();
    const error = await connectRedis(`redis://cca:s3cret@127.0.0.1:${port}/2`).catch(
      (caught: unknown) => caught,
    );
    expect((error as Error).message).toContain(`redis://cca:***@127.0.0.1:${port}/2`);
    expect((error as Error).message).not.toContain("s3cret");
    expect(redactRedisUrl("redis://127.0.0.1:6379")).toBe("redis://127.0.0.1:6379");
  });
});

describe("createRedisBackend", () => {
  let admin: Redis;
  let prefix: string;
  let backend: RedisBackend | undefined;
  beforeEach(async () => {
    admin = await requireRedis();
    prefix = uniquePrefix();
    backend = undefined;
  });
  afterEach(async () => {
    await backend?.close();
    await deleteKeysUnder(admin, prefix);
    await quitRedis(admin);
  });

  it("lays out channels, keys and streams under the prefix", async () => {
    backend = await createRedisBackend(REDIS_URL, { prefix });
    const raw = new Collector<[string, string]>();
    const listener = await connectRedis(REDIS_URL);
    try {
      listener.on("message", (channel: string, text: string) => raw.handler([channel, text]));
      await listener.subscribe(`${prefix}activity`);
      await backend.eventBus.publish("activity", { kind: "task.started" });
      expect(await raw.until(1)).toEqual([[`${prefix}activity`, '{"kind":"task.started"}']]);
    } finally {
      await quitRedis(listener);
    }

    await backend.stateStore.set("agents:a1", { role: "backend" }, { ttlMs: 60_000 });
    expect(await admin.get(`${prefix}state:agents:a1`)).toBe('{"role":"backend"}');
    expect(await admin.pttl(`${prefix}state:agents:a1`)).toBeGreaterThan(59_000);

    const lock = await backend.stateStore.acquireLock("coordinator", 60_000);
    expect(await admin.get(`${prefix}lock:coordinator`)).toBe(lock?.token);
  });

  it("quits every connection it opened on close", async () => {
    backend = await createRedisBackend(REDIS_URL, { prefix, connectionName: `${prefix}backend` });
    await backend.eventBus.subscribe("c", () => {});
    const names = async () =>
      String(await admin.client("LIST"))
        .split("\n")
        .filter((line) => line.includes(`name=${prefix}backend`)).length;
    const before = await names();
    // The command connection and the bus subscriber.
    expect(before).toBe(2);
    await backend.close();
    expect(backend.redis.status).toBe("end");
    expect(await names()).toBe(0);
    backend = undefined;
  });
});

describe("RedisEventBus", () => {
  let bus: RedisEventBus | undefined;
  afterEach(async () => {
    await bus?.close();
    bus = undefined;
  });

  it("reports a handler that throws and keeps delivering to the others", async () => {
    await quitRedis(await requireRedis());
    const errors = new Collector<[unknown, string]>();
    bus = await RedisEventBus.fromUrl(REDIS_URL, {
      prefix: uniquePrefix(),
      onHandlerError: (error, channel) => errors.handler([error, channel]),
    });
    const seen = new Collector();
    await bus.subscribe("c", () => {
      throw new Error("bad handler");
    });
    await bus.subscribe("c", seen.handler);
    await bus.publish("c", "x");
    expect(await seen.until(1)).toEqual(["x"]);
    const [[error, channel]] = (await errors.until(1)) as [[Error, string]];
    expect(error.message).toBe("bad handler");
    expect(channel).toBe("c");
  });

  it("refuses to publish what JSON cannot carry", async () => {
    await quitRedis(await requireRedis());
    bus = await RedisEventBus.fromUrl(REDIS_URL, { prefix: uniquePrefix() });
    await expect(bus.publish("c", undefined)).rejects.toThrow(/messages must be JSON/);
  });
});
