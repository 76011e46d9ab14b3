import { randomUUID } from "node:crypto";
import { replyText } from "@cca/mock-anthropic";
import { describe, expect, it } from "vitest";
import { type CcadProcess, eventually } from "../support/ccad-process.js";
import { useSharedDaemons } from "../support/shared-daemons.js";

const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/**
 * Daemons of one test share a Redis namespace and a PostgreSQL database of their own,
 * apart from other tests and runs.
 */
function redisEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CCA__REDIS__URL: REDIS_URL,
    CCA__REDIS__KEY_PREFIX: `cca-test-${randomUUID()}:`,
    CCA__POSTGRES__URL: shared.database.url,
    ...extra,
  };
}

const shared = useSharedDaemons();

function startPair(env: Record<string, string>): Promise<[CcadProcess, CcadProcess]> {
  return Promise.all([shared.start(env), shared.start(env)]);
}

describe("daemons sharing Redis and PostgreSQL", () => {
  it("publish their activity on the shared bus, so each one's stream shows the other's work", async () => {
    const env = redisEnv();
    const [a, b] = await startPair(env);
    expect((await a.client.status()).bus).toBe("redis");
    shared.mock.on({ when: (r) => r.lastUserText === "shared work", reply: replyText("done on A") });

    const controller = new AbortController();
    const seenOnB: Array<{ kind: string; task_id: string | null; agent_id: string | null }> = [];
    let onEvent = () => {};
    const watching = (async () => {
      for await (const event of b.client.events(controller.signal)) {
        seenOnB.push(event);
        onEvent();
      }
    })().catch(() => {});
    const seen = (predicate: (event: (typeof seenOnB)[number]) => boolean) =>
      new Promise<void>((resolve) => {
        onEvent = () => seenOnB.some(predicate) && resolve();
        onEvent();
      });
    // B's own agent shows that B's stream is open before A starts the task.
    const probe = await b.client.spawnAgent("qa");
    await seen((event) => event.agent_id === probe.id);
    const taskId = (await a.client.createTask({ description: "shared work" })).id;
    await seen((event) => event.task_id === taskId && event.kind === "task.completed");
    controller.abort();
    await watching;
    const kinds = seenOnB.filter((event) => event.task_id === taskId).map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["task.queued", "task.started", "task.completed"]));
  });
  it("share one task queue: tasks handed to one daemon run on both, each once", async () => {
    const [a, b] = await startPair(redisEnv());
    shared.mock.on({
      when: (r) => r.lastUserText.startsWith("job "),
      reply: (r) => ({ text: `done ${r.lastUserText}`, delayMs: 1500 }),
    });
    const created = await Promise.all(
      [1, 2, 3, 4].map((n) => a.client.createTask({ description: `job ${n}` })),
    );
    const ended = await Promise.all(created.map((task) => a.client.waitForTask(task.id, 60)));
    expect(ended.map((task) => [task.status, task.result])).toEqual(
      [1, 2, 3, 4].map((n) => ["completed", `done job ${n}`]),
    );
    const coordinatorOf = async (daemon: CcadProcess) =>
      (await daemon.client.listAgents()).find(
        (agent) => agent.role === "coordinator" && agent.daemon?.endsWith(`-${daemon.child.pid}`),
      )?.id;
    const ranOn = new Set(ended.map((task) => task.agent_id));
    expect(ranOn).toEqual(new Set([await coordinatorOf(a), await coordinatorOf(b)]));
    expect(shared.mock.requests.filter((r) => r.lastUserText.startsWith("job "))).toHaveLength(4);
    // Either daemon answers for any task.
    expect((await b.client.getTask(created[0]!.id)).status).toBe("completed");
    expect((await b.client.listTasks()).map((task) => task.id).sort()).toEqual(
      created.map((task) => task.id).sort(),
    );
    // Both stop cleanly with their claim loops running.
    expect(await a.stop()).toBe(0);
    expect(await b.stop()).toBe(0);
  });

  it("finish the work of a daemon killed with -9: the task is taken over, not lost, and completed once", async () => {
    const [a, b] = await startPair(redisEnv({ CCA__REDIS__CLAIM_IDLE_MS: "1500" }));
    const isJob = (r: { lastUserText: string }) => r.lastUserText.includes("survive me");
    shared.mock.on({ when: isJob, reply: { hang: true }, times: 1 });
    shared.mock.on({ when: isJob, reply: { text: "finished after the takeover" } });
    const task = await a.client.createTask({ description: "survive me" });
    await shared.mock.waitForRequest(isJob, 20_000);
    // Daemons are named ccad-<host>-<pid> in the shared registry.
    const runner = (await a.client.listAgents()).find((agent) => agent.current_task_id === task.id);
    const victim = runner?.daemon?.endsWith(`-${a.child.pid}`) ? a : b;
    const survivor = victim === a ? b : a;
    victim.child.kill("SIGKILL");
    const ended = await survivor.client.waitForTask(task.id, 30);
    expect(ended).toMatchObject({ status: "completed", result: "finished after the takeover" });
    // The daemon that took it over said so in the prompt: the work may be partly done.
    expect(shared.mock.requests.filter(isJob).at(-1)?.lastUserText).toMatch(
      /your earlier work on this task was cut short/,
    );
    const survivorCoordinator = (await survivor.client.listAgents()).find(
      (agent) => agent.role === "coordinator",
    );
    expect(ended.agent_id).toBe(survivorCoordinator?.id);
    expect(shared.mock.requests.filter(isJob)).toHaveLength(2);
  });

  it("share the agents' records, from which a killed daemon's agents drop out", async () => {
    const [a, b] = await startPair(redisEnv({ CCA__REDIS__CLAIM_IDLE_MS: "1000" }));
    const qa = await a.client.spawnAgent("qa");
    const seenFromB = async () => (await b.client.listAgents()).find((agent) => agent.id === qa.id);
    await eventually(async () => (await seenFromB())?.state === "ready", 15_000);
    expect(await seenFromB()).toMatchObject({ role: "qa", daemon: expect.stringMatching(/^ccad-/) });
    expect((await b.client.getAgent(qa.id)).role).toBe("qa");
    a.child.kill("SIGKILL");
    await eventually(async () => (await seenFromB()) === undefined, 15_000);
  });

  it("refuses to start with a Redis URL where nothing answers, saying what to check", async () => {
    const error = await shared
      .start({ CCA__REDIS__URL: "redis://127.0.0.1:6390", CCA__POSTGRES__URL: shared.database.url })
      .catch((e: unknown) => e as Error);
    expect(String(error)).toMatch(/Cannot reach Redis at redis:\/\/127\.0\.0\.1:6390/);
  });

  it("refuses to share a queue without sharing the records, saying what to set", async () => {
    const error = await shared.start({ CCA__REDIS__URL: REDIS_URL }).catch((e: unknown) => e as Error);
    expect(String(error)).toMatch(/set postgres\.url/);
  });
});
