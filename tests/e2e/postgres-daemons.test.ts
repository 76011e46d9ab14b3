import { describe, expect, it } from "vitest";
import type { CcadProcess } from "../support/ccad-process.js";
import { useSharedDaemons } from "../support/shared-daemons.js";

// Daemons that share only a PostgreSQL database: the task queue is BullMQ's PostgreSQL
// backend, so no Redis is needed for several daemons to share the work.

const shared = useSharedDaemons();

async function startPair(extra: Record<string, string> = {}): Promise<[CcadProcess, CcadProcess]> {
  const env = { CCA__POSTGRES__URL: shared.database.url, ...extra };
  // One after the other: the first applies the migrations, the second finds them applied.
  const a = await shared.start(env);
  return [a, await shared.start(env)];
}

describe("daemons sharing PostgreSQL alone", () => {
  it("share one task queue: tasks handed to one daemon run on both, each once", async () => {
    const [a, b] = await startPair();
    expect((await a.client.health()).dependencies.queue).toMatchObject({ kind: "bullmq-postgres", up: true });
    shared.mock.on({
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
    expect(shared.mock.requests.filter((r) => r.lastUserText.startsWith("pg job "))).toHaveLength(4);
  });

  it("finish the work of a daemon killed with -9, once", async () => {
    const [a, b] = await startPair({ CCA__REDIS__CLAIM_IDLE_MS: "1500" });
    const isJob = (r: { lastUserText: string }) => r.lastUserText.includes("outlive me");
    shared.mock.on({ when: isJob, reply: { hang: true }, times: 1 });
    shared.mock.on({ when: isJob, reply: { text: "finished elsewhere" } });
    const task = await a.client.createTask({ description: "outlive me" });
    await shared.mock.waitForRequest(isJob, 20_000);
    const runner = (await a.client.listAgents()).find((agent) => agent.current_task_id === task.id);
    const victim = runner?.daemon?.endsWith(`-${a.child.pid}`) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill("SIGKILL");
    expect(await survivor.client.waitForTask(task.id, 45)).toMatchObject({
      status: "completed",
      result: "finished elsewhere",
    });
    expect(shared.mock.requests.filter(isJob)).toHaveLength(2);
  });
});
