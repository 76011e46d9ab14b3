import {
  type ActivityEvent,
  InMemoryEventBus,
  InMemoryStateStore,
  InMemoryTaskQueue,
  type TaskQueue,
} from "@cca/core";
import { afterEach, describe, expect, it } from "vitest";
import { ACTIVITY_CHANNEL } from "../src/activity/activity-log.js";
import { startTestDaemon, type TestDaemon, waitUntil } from "./support.js";

const daemons: TestDaemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((daemon) => daemon.close()));
});

/** Two daemons in one process sharing in-memory twins of the Redis queue, store and bus. */
async function startPair(): Promise<[TestDaemon, TestDaemon]> {
  const queue = new InMemoryTaskQueue({ minIdleMs: 500 });
  const state = new InMemoryStateStore();
  const bus = new InMemoryEventBus();
  const start = (name: string) =>
    startTestDaemon({ bus, cluster: { queue, state, consumer: name, claimIdleMs: 500 } });
  const pair = await Promise.all([start("daemon-a"), start("daemon-b")]);
  daemons.push(...pair);
  return pair;
}

describe("daemons sharing work (in-memory twins of Redis)", () => {
  it("run tasks handed to either of them, each once, and answer for each other's tasks", async () => {
    const [a, b] = await startPair();
    const created = await Promise.all(
      [1, 2, 3, 4].map((n) => a.client.createTask({ description: `sleep ${100 + n}` })),
    );
    const ended = await Promise.all(created.map((task) => b.client.waitForTask(task.id, 10)));
    expect(ended.map((task) => task.status)).toEqual(["completed", "completed", "completed", "completed"]);
    const agents = await a.client.listAgents();
    expect(
      new Set(agents.filter((agent) => agent.role === "coordinator").map((agent) => agent.daemon)),
    ).toEqual(new Set(["daemon-a", "daemon-b"]));
  });

  it("cancels a task running on the other daemon", async () => {
    const [a, b] = await startPair();
    const task = await a.client.createTask({ description: "hang" });
    await waitUntil(async () => {
      const current = await b.client.getTask(task.id);
      return current.status === "running" && current.agent_id !== null;
    });
    const cancelled = await b.client.cancelTask(task.id);
    expect(cancelled).toMatchObject({ status: "cancelled", error: { code: "task_cancelled" } });
  });

  it("fails a task it could not put in the shared queue, saying why", async () => {
    const broken: TaskQueue = {
      enqueue: async () => {
        throw new Error("READONLY You can't write against a read only replica");
      },
      claimNext: async () => undefined,
      close: async () => {},
    };
    const daemon = await startTestDaemon({
      cluster: { queue: broken, state: new InMemoryStateStore(), consumer: "solo", claimIdleMs: 500 },
    });
    daemons.push(daemon);
    const response = await daemon.call("/api/v1/tasks", { method: "POST", body: '{"description":"x"}' });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({
      error: { code: "internal", message: /Could not queue the task in Redis: READONLY/ },
    });
    const [task] = await daemon.client.listTasks();
    expect(task).toMatchObject({ status: "failed", error: { code: "internal" } });
  });
});

describe("a daemon that shuts down while it runs a shared task", () => {
  it("puts the task back in line, and another daemon completes it", async () => {
    const queue = new InMemoryTaskQueue({ minIdleMs: 300 });
    const state = new InMemoryStateStore();
    const bus = new InMemoryEventBus();
    const start = (name: string) =>
      startTestDaemon({ bus, cluster: { queue, state, consumer: name, claimIdleMs: 300 } });
    const kinds: string[] = [];
    await bus.subscribe<ActivityEvent>(ACTIVITY_CHANNEL, (event) => kinds.push(event.kind));
    const first = await start("daemon-a");
    const task = await first.client.createTask({ description: "sleep 1500" });
    await waitUntil(async () => (await first.client.getTask(task.id)).status === "running");
    const second = await start("daemon-b");
    daemons.push(second);
    await first.close();
    const ended = await second.client.waitForTask(task.id, 15);
    expect(ended).toMatchObject({ status: "completed", result: "echo: sleep 1500" });
    const runner = (await second.client.listAgents()).find((agent) => agent.id === ended.agent_id);
    expect(runner?.daemon).toBe("daemon-b");
    // Nobody was told it failed: it only moved from one daemon to the other.
    expect(kinds.filter((kind) => kind.startsWith("task."))).not.toContain("task.failed");
  });
});
