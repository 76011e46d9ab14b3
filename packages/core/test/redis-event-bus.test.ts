import { quitRedis } from "../src/redis/connect.js";
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
