import { quitRedis } from "../src/redis/connect.js";
import { SchedulerPool, TEST_LOCK_DURATION_MS, testSchedulerOptions } from "./support/bullmq.js";
import { deleteKeysUnder, REDIS_URL, requireRedis, uniquePrefix } from "./support/redis.js";
import {
  describeSharedTaskSchedulerContract,
  describeTaskSchedulerContract,
  type SharedTaskSchedulerHarness,
} from "./task-scheduler.contract.js";

async function redisHarness(): Promise<SharedTaskSchedulerHarness> {
  const admin = await requireRedis();
  const prefix = uniquePrefix();
  const pool = new SchedulerPool(testSchedulerOptions({ backend: "redis", url: REDIS_URL, prefix }));
  return {
    kind: "bullmq-redis",
    dependency: "redis",
    serviceUrl: REDIS_URL,
    lockDurationMs: TEST_LOCK_DURATION_MS,
    open: async (limits) => pool.open(undefined, limits),
    openAt: async (url) => pool.open(url),
    spawnDoomedDaemon: () => pool.spawnDoomedDaemon(),
    dispose: async () => {
      await pool.close();
      await deleteKeysUnder(admin, prefix);
      await quitRedis(admin);
    },
  };
}

describeTaskSchedulerContract("BullmqTaskScheduler on Redis", redisHarness);
describeSharedTaskSchedulerContract("BullmqTaskScheduler on Redis", redisHarness);
