import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { quitRedis, RedisUnreachableError } from "../src/redis/connect.js";
import { RedisEventBus } from "../src/redis/redis-event-bus.js";
import { describeEventBusContract } from "./event-bus.contract.js";
import { REDIS_URL, requireRedis, uniquePrefix } from "./support/redis.js";

describeEventBusContract("RedisEventBus", async () => {
  // Fails each test with a clear message when Redis is missing, so none passes unnoticed.
  await quitRedis(await requireRedis());
  const prefix = uniquePrefix();
  const buses: RedisEventBus[] = [];
  return {
    // Each bus has its own connections, as two daemons would.
    open: async () => {
      const bus = await RedisEventBus.fromUrl(REDIS_URL, { prefix });
      buses.push(bus);
      return bus;
    },
    dispose: async () => {
      await Promise.all(buses.map((bus) => bus.close()));
    },
  };
});

/** A loopback port that nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Collects unhandled rejections until `stop()`, which first lets Node report pending ones. */
function watchUnhandledRejections() {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown) => seen.push(reason);
  process.on("unhandledRejection", onRejection);
  return {
    seen,
    async stop() {
      await new Promise((resolve) => setImmediate(resolve));
      process.off("unhandledRejection", onRejection);
    },
  };
}

describe("RedisEventBus while Redis is unreachable", () => {
  it("rejects publish and subscribe within bounds and leaves no unhandled rejection", async () => {
    const unhandled = watchUnhandledRejections();
    // As a connection that was up and lost Redis: ioredis keeps reconnecting and queues commands.
    const redis = new Redis({
      host: "127.0.0.1",
      port: await deadPort(),
      retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    });
    const bus = new RedisEventBus({ redis, publishTimeoutMs: 200 });
    try {
      await expect(bus.publish("activity", { seq: 1 })).rejects.toThrow(
        /Could not publish on "activity": Redis did not answer within 200 ms .*check that Redis is up/,
      );
      await expect(bus.subscribe("activity", () => {})).rejects.toBeInstanceOf(RedisUnreachableError);
    } finally {
      await bus.close();
      // Fails the commands ioredis still holds; they must be handled too.
      redis.disconnect();
      await unhandled.stop();
    }
    expect(unhandled.seen).toEqual([]);
  });
});
