import { type ActivityEvent, isTerminalStatus } from "@cca/core";
import { connectRedis } from "@cca/core/redis";
import { afterEach, describe, expect, it } from "vitest";
import { ACTIVITY_CHANNEL } from "../src/activity/activity-log.js";
import { REDIS_URL, SharedWork } from "./shared-work.js";
import { waitUntil } from "./support.js";

let shared: SharedWork;
afterEach(async () => {
  await shared.close();
});

// Takeovers wait out BullMQ locks and polls: seconds, more on a loaded machine.
describe("daemons sharing work (one database, BullMQ on Redis)", { timeout: 40_000 }, () => {
  it("run tasks handed to either of them, each once, and answer for each other's tasks", async () => {
    shared = new SharedWork();
    const [a, b] = [await shared.start("daemon-a"), await shared.start("daemon-b")];
    const created = await Promise.all(
      [1, 2, 3, 4].map((n) => a.client.createTask({ description: `sleep ${100 + n}` })),
    );
    const ended = await Promise.all(created.map((task) => b.client.waitForTask(task.id, 15)));
    expect(ended.map((task) => task.status)).toEqual(["completed", "completed", "completed", "completed"]);
    const coordinators = (await a.client.listAgents()).filter((agent) => agent.role === "coordinator");
    expect(new Set(coordinators.map((agent) => agent.daemon))).toEqual(new Set(["daemon-a", "daemon-b"]));
    expect(ended.every((task) => task.num_turns !== null)).toBe(true);
  });

  it("cancels a task running on the other daemon", async () => {
    shared = new SharedWork();
    const [a, b] = [await shared.start("daemon-a"), await shared.start("daemon-b")];
    const task = await a.client.createTask({ description: "hang" });
    await waitUntil(async () => {
      const current = await b.client.getTask(task.id);
      return current.status === "running" && current.agent_id !== null;
    }, 10_000);
    const cancelled = await b.client.cancelTask(task.id);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "task_cancelled" } });
  });

  it("run a message to an agent on that agent's daemon, whichever daemon is free", async () => {
    shared = new SharedWork();
    const [a, b] = [await shared.start("daemon-a"), await shared.start("daemon-b")];
    const agent = await a.client.spawnAgent("qa");
    // B is idle and takes shared work, but only A has the agent.
    const sent = await Promise.all([1, 2, 3, 4].map((n) => a.client.sendAgentMessage(agent.id, `note ${n}`)));
    const ended = await Promise.all(sent.map((task) => b.client.waitForTask(task.id, 15)));
    expect(ended.map((task) => [task.status, task.agent_id])).toEqual(
      sent.map(() => ["completed", agent.id]),
    );
  });

  it("fails a waiting message whose agent's daemon has gone, saying so", async () => {
    shared = new SharedWork();
    const [a, b] = [await shared.start("daemon-a"), await shared.start("daemon-b")];
    const agent = await a.client.spawnAgent("backend");
    const busy = await a.client.sendAgentMessage(agent.id, "hang");
    await waitUntil(async () => (await a.client.getAgent(agent.id)).current_task_id === busy.id, 10_000);
    const waiting = await a.client.sendAgentMessage(agent.id, "later");
    await a.close();
    const ended = await b.client.waitForTask(waiting.id, 20);
    expect(ended).toMatchObject({ status: "failed", error: { code: "agent_stopped" } });
    expect(ended.error?.message).toContain("daemon-a");
  });

  it("re-queues from the database a queued task whose queue entry was lost", async () => {
    shared = new SharedWork();
    const a = await shared.start("daemon-a");
    const blocker = await a.client.createTask({ description: "sleep 800" });
    await waitUntil(async () => (await a.client.getTask(blocker.id)).status === "running", 10_000);
    const waiting = await a.client.createTask({ description: "after the flush" });
    // Redis restarted empty: every queue entry is gone, the records are not.
    const redis = await connectRedis(REDIS_URL);
    const keys = await redis.keys(`${shared.prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
    expect(await a.client.waitForTask(waiting.id, 20)).toMatchObject({
      status: "completed",
      result: "echo: after the flush",
    });
  });
});

describe("a daemon that shuts down while it runs a shared task", { timeout: 40_000 }, () => {
  it("puts the task back in line, and another daemon completes it", async () => {
    shared = new SharedWork();
    const kinds: string[] = [];
    await shared.bus.subscribe<ActivityEvent>(ACTIVITY_CHANNEL, (event) => kinds.push(event.kind));
    const first = await shared.start("daemon-a");
    const task = await first.client.createTask({ description: "sleep 1500" });
    await waitUntil(async () => (await first.client.getTask(task.id)).status === "running", 10_000);
    const second = await shared.start("daemon-b");
    await first.close();
    const ended = await second.client.waitForTask(task.id, 20);
    expect(ended).toMatchObject({ status: "completed", result: "echo: sleep 1500" });
    const runner = (await second.client.listAgents()).find((agent) => agent.id === ended.agent_id);
    expect(runner?.daemon).toBe("daemon-b");
    // Nobody was told it failed: it only moved from one daemon to the other.
    expect(kinds.filter((kind) => kind.startsWith("task."))).not.toContain("task.failed");
    expect(isTerminalStatus(ended.status)).toBe(true);
  });
});
