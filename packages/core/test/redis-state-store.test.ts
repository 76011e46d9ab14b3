import { quitRedis } from "../src/redis/connect.js";
import { RedisStateStore } from "../src/redis/redis-state-store.js";
import { describeStateStoreContract } from "./state-store.contract.js";
import { deleteKeysUnder, elapse, REDIS_URL, requireRedis, uniquePrefix } from "./support/redis.js";

describeStateStoreContract("RedisStateStore", async () => {
  const admin = await requireRedis();
  const prefix = uniquePrefix();
  const stores: RedisStateStore[] = [];
  return {
    open: async () => {
      const store = await RedisStateStore.fromUrl(REDIS_URL, { prefix });
      stores.push(store);
      return store;
    },
    letTimePass: elapse,
    dispose: async () => {
      await Promise.all(stores.map((store) => store.close()));
      await deleteKeysUnder(admin, prefix);
      await quitRedis(admin);
    },
  };
});
