import { quitRedis } from "../src/redis/connect.js";
import { RedisTaskQueue } from "../src/redis/redis-task-queue.js";
import { deleteKeysUnder, elapse, REDIS_URL, requireRedis, uniquePrefix } from "./support/redis.js";
import { describeTaskQueueContract } from "./task-queue.contract.js";

describeTaskQueueContract("RedisTaskQueue", async () => {
  const admin = await requireRedis();
  const prefix = uniquePrefix();
  const queues: RedisTaskQueue[] = [];
  return {
    open: async ({ minIdleMs }) => {
      const queue = await RedisTaskQueue.fromUrl(REDIS_URL, { prefix, minIdleMs });
      queues.push(queue);
      return queue;
    },
    letTimePass: elapse,
    dispose: async () => {
      await Promise.all(queues.map((queue) => queue.close()));
      await deleteKeysUnder(admin, prefix);
      await quitRedis(admin);
    },
  };
});
