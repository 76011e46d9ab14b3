import { createMockAnthropic, type MockAnthropic, replyText } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CcadProcess, eventually, processExists, startCcad } from "../support/ccad-process.js";
import { type ScratchDatabase, scratchDatabase } from "../support/postgres.js";
import { type RedisServer, startRedisServer } from "../support/redis-server.js";

// kill -9 of Redis under a daemon that shares work through it: the daemon stays up, answers
// every request (the records are in PostgreSQL), and once Redis is back, even empty, runs
// what was accepted meanwhile: the queue is rebuilt from the repository.

const has = (text: string) => (r: { lastUserText: string }) => r.lastUserText.includes(text);

let mock: MockAnthropic;
let redis: RedisServer;
let database: ScratchDatabase;
let ccad: CcadProcess;
beforeEach(async () => {
  mock = await createMockAnthropic();
  redis = await startRedisServer();
  database = await scratchDatabase();
  ccad = await startCcad({
    mockUrl: mock.url,
    env: {
      CCA__REDIS__URL: redis.url,
      CCA__POSTGRES__URL: database.url,
      CCA__DAEMON__RECONCILE_INTERVAL_MS: "300",
    },
  });
});
afterEach(async () => {
  await ccad.stop();
  await redis.kill();
  await database.drop();
  await mock.close();
});

describe("Redis killed, then restarted empty", () => {
  it("keeps the daemon up and answering, and runs what it accepted meanwhile, once", async () => {
    mock.on({ when: has("before the outage"), reply: replyText("before done") });
    mock.on({ when: has("during the outage"), reply: replyText("during done") });
    const { task: before } = await ccad.client.createTaskAndWait({ description: "before the outage" });
    expect(before.status).toBe("completed");

    await redis.kill("SIGKILL");
    await eventually(async () => (await ccad.client.health()).status === "degraded", 15_000);
    const health = await ccad.client.health();
    expect(health.dependencies.queue).toMatchObject({ kind: "bullmq-redis", up: false });
    expect(health.dependencies.database).toMatchObject({ kind: "postgres", up: true });
    // Accepted and stored, though nothing can queue it yet.
    const during = await ccad.client.createTask({ description: "during the outage" });
    expect(during.status).toBe("queued");
    expect((await ccad.client.listTasks()).map((task) => task.id)).toEqual([during.id, before.id]);
    expect(processExists(ccad.child.pid!)).toBe(true);

    await redis.start();
    expect(await ccad.client.waitForTask(during.id, 60)).toMatchObject({
      status: "completed",
      result: "during done",
    });
    await eventually(async () => (await ccad.client.health()).status === "ok", 15_000);
    expect(mock.requests.filter(has("during the outage"))).toHaveLength(1);
    expect(mock.requests.filter(has("before the outage"))).toHaveLength(1);
    expect(ccad.logs()).not.toMatch(/unhandled rejection/);
  });
});
