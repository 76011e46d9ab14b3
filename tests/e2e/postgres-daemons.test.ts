import { createMockAnthropic, type MockAnthropic } from "@cca/mock-anthropic";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type CcadProcess, startCcad } from "../support/ccad-process.js";
import { type ScratchDatabase, scratchDatabase } from "../support/postgres.js";

// Daemons that share only a PostgreSQL database: the task queue is BullMQ's PostgreSQL
// backend, so no Redis is needed for several daemons to share the work.

let mock: MockAnthropic;
let database: ScratchDatabase;
const daemons: CcadProcess[] = [];

beforeEach(async () => {
  mock = await createMockAnthropic();
  database = await scratchDatabase();
});
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => daemon.stop()));
  await mock.close();
  await database.drop();
});

async function startPair(extra: Record<string, string> = {}): Promise<[CcadProcess, CcadProcess]> {
  const env = { CCA__POSTGRES__URL: database.url, ...extra };
  // One after the other: the first applies the migrations, the second finds them applied.
  const a = await startCcad({ mockUrl: mock.url, env });
  const b = await startCcad({ mockUrl: mock.url, env });
  daemons.push(a, b);
  return [a, b];
}

describe("daemons sharing PostgreSQL alone", () => {
  it("share one task queue: tasks handed to one daemon run on both, each once", async () => {
    const [a, b] = await startPair();
    expect((await a.client.health()).dependencies.queue).toMatchObject({ kind: "bullmq-postgres", up: true });
    mock.on({
      when: (r) => r.lastUserText.startsWith("pg job "),
      reply: (r) => ({ text: `done ${r.lastUserText}`, delayMs: 1000 }),
    });
    const created = await Promise.all(
      [1, 2, 3, 4].map((n) => a.client.createTask({ description: `pg job ${n}` })),
    );
    const ended = await Promise.all(created.map((task) => b.client.waitForTask(task.id, 60)));
    expect(ended.map((task) => [task.status, task.result])).toEqual(
      [1, 2, 3, 4].map((n) => ["completed", `done pg job ${n}`]),
    );
    const coordinators = (await a.client.listAgents()).filter((agent) => agent.role === "coordinator");
    expect(new Set(ended.map((task) => task.agent_id))).toEqual(
      new Set(coordinators.map((agent) => agent.id)),
    );
    expect(coordinators).toHaveLength(2);
    expect(mock.requests.filter((r) => r.lastUserText.startsWith("pg job "))).toHaveLength(4);
  });

  it("finish the work of a daemon killed with -9, once", async () => {
    const [a, b] = await startPair({ CCA__REDIS__CLAIM_IDLE_MS: "1500" });
    const isJob = (r: { lastUserText: string }) => r.lastUserText.includes("outlive me");
    mock.on({ when: isJob, reply: { hang: true }, times: 1 });
    mock.on({ when: isJob, reply: { text: "finished elsewhere" } });
    const task = await a.client.createTask({ description: "outlive me" });
    await mock.waitForRequest(isJob, 20_000);
    const runner = (await a.client.listAgents()).find((agent) => agent.current_task_id === task.id);
    const victim = runner?.daemon?.endsWith(`-${a.child.pid}`) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill("SIGKILL");
    expect(await survivor.client.waitForTask(task.id, 45)).toMatchObject({
      status: "completed",
      result: "finished elsewhere",
    });
    expect(mock.requests.filter(isJob)).toHaveLength(2);
  });
});
