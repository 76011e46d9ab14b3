import { SchedulerPool, TEST_LOCK_DURATION_MS, testSchedulerOptions } from "./support/bullmq.js";
import { dropSchema, POSTGRES_URL, requirePostgres, uniqueSchema } from "./support/postgres.js";
import {
  describeSharedTaskSchedulerContract,
  describeTaskSchedulerContract,
  type SharedTaskSchedulerHarness,
} from "./task-scheduler.contract.js";

async function postgresHarness(): Promise<SharedTaskSchedulerHarness> {
  const admin = await requirePostgres();
  const schema = uniqueSchema();
  const pool = new SchedulerPool(
    testSchedulerOptions({ backend: "postgres", url: POSTGRES_URL, prefix: schema }),
  );
  return {
    kind: "bullmq-postgres",
    dependency: "postgres",
    serviceUrl: POSTGRES_URL,
    lockDurationMs: TEST_LOCK_DURATION_MS,
    open: async (limits) => pool.open(undefined, limits),
    openAt: async (url) => pool.open(url),
    spawnDoomedDaemon: () => pool.spawnDoomedDaemon(),
    dispose: async () => {
      try {
        await pool.close();
        await dropSchema(admin, schema);
      } finally {
        await admin.end();
      }
    },
  };
}

describeTaskSchedulerContract("BullmqTaskScheduler on PostgreSQL", postgresHarness);
describeSharedTaskSchedulerContract("BullmqTaskScheduler on PostgreSQL", postgresHarness);
