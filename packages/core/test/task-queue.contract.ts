import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { TaskPriority } from "../src/domain/schemas.js";
import type { TaskDelivery, TaskQueue } from "../src/queue/task-queue.js";

/** What the TaskQueue contract needs from an implementation. */
export interface TaskQueueHarness {
  /** The queue as one daemon sees it; each call is another daemon on the same queue. */
  open(options: { minIdleMs: number }): Promise<TaskQueue>;
  /** Lets `ms` milliseconds pass for the queue's idle clock. */
  letTimePass(ms: number): Promise<void>;
  /** Closes every queue opened and removes what the test left behind. */
  dispose(): Promise<void>;
}

const MIN_IDLE_MS = 300;

/** Claims until the queue has nothing ready for `consumer`. */
async function drain(queue: TaskQueue, consumer: string): Promise<TaskDelivery[]> {
  const deliveries: TaskDelivery[] = [];
  for (let delivery = await queue.claimNext(consumer); delivery; delivery = await queue.claimNext(consumer)) {
    deliveries.push(delivery);
  }
  return deliveries;
}

/** The behaviour every TaskQueue must have, run against one implementation. */
export function describeTaskQueueContract(
  name: string,
  createHarness: () => Promise<TaskQueueHarness>,
): void {
  describe(`${name} (TaskQueue contract)`, () => {
    let harness: TaskQueueHarness;
    /** Set only once the harness exists, so a failed setup is not followed by a second error. */
    let toDispose: TaskQueueHarness | undefined;
    let daemonA: TaskQueue;
    let daemonB: TaskQueue;
    beforeEach(async () => {
      toDispose = undefined;
      harness = await createHarness();
      toDispose = harness;
      daemonA = await harness.open({ minIdleMs: MIN_IDLE_MS });
      daemonB = await harness.open({ minIdleMs: MIN_IDLE_MS });
    });
    afterEach(async () => {
      await toDispose?.dispose();
    });

    it("hands out entries critical first, then high, normal, low, first in first out within each", async () => {
      const order: [string, TaskPriority][] = [
        ["low-1", "low"],
        ["normal-1", "normal"],
        ["critical-1", "critical"],
        ["high-1", "high"],
        ["normal-2", "normal"],
        ["critical-2", "critical"],
      ];
      for (const [taskId, priority] of order) await daemonA.enqueue({ taskId, priority });
      const deliveries = await drain(daemonA, "a");
      expect(deliveries.map((delivery) => delivery.entry.taskId)).toEqual([
        "critical-1",
        "critical-2",
        "high-1",
        "normal-1",
        "normal-2",
        "low-1",
      ]);
    });

    it("delivers the entry as enqueued, to the consumer that claimed it, as a first delivery", async () => {
      const id = await daemonA.enqueue({
        taskId: "t1",
        priority: "high",
        payload: { role: "backend", n: [1] },
      });
      const delivery = await daemonB.claimNext("b");
      expect(delivery).toMatchObject({
        id,
        consumer: "b",
        deliveryCount: 1,
        entry: { taskId: "t1", priority: "high", payload: { role: "backend", n: [1] } },
      });
      const bare = await daemonA.enqueue({ taskId: "t2", priority: "low" });
      expect((await daemonA.claimNext("a"))?.entry).toEqual({ taskId: "t2", priority: "low" });
      expect(bare).not.toBe(id);
    });

    it("answers undefined at once when nothing is queued", async () => {
      expect(await daemonA.claimNext("a")).toBeUndefined();
    });

    it("refuses an unknown priority", async () => {
      await expect(daemonA.enqueue({ taskId: "t", priority: "urgent" as TaskPriority })).rejects.toThrow(
        /Unknown priority "urgent".*critical, high, normal, low/,
      );
    });

    it("shares the work between two daemons without giving any entry to both", async () => {
      const taskIds = Array.from({ length: 30 }, (_, index) => `t${index}`);
      for (const taskId of taskIds) await daemonA.enqueue({ taskId, priority: "normal" });
      const [byA, byB] = await Promise.all([drain(daemonA, "a"), drain(daemonB, "b")]);
      const claimed = [...byA, ...byB].map((delivery) => delivery.entry.taskId);
      expect(claimed.sort()).toEqual([...taskIds].sort());
      expect(byA.length + byB.length).toBe(30);
      expect(byA.length).toBeGreaterThan(0);
      expect(byB.length).toBeGreaterThan(0);
    });

    it("never delivers an acked entry again, even after the idle time", async () => {
      await daemonA.enqueue({ taskId: "done", priority: "normal" });
      const delivery = await daemonA.claimNext("a");
      expect(await delivery?.ack()).toBe(true);
      await harness.letTimePass(MIN_IDLE_MS + 100);
      expect(await daemonB.claimNext("b")).toBeUndefined();
      expect(await daemonA.claimNext("a")).toBeUndefined();
    });

    it("treats a second ack as harmless", async () => {
      await daemonA.enqueue({ taskId: "t", priority: "normal" });
      const delivery = await daemonA.claimNext("a");
      expect(await delivery?.ack()).toBe(true);
      expect(await delivery?.ack()).toBe(false);
    });

    it("gives the delivery of a consumer that died to another once it sat idle for minIdleMs", async () => {
      await daemonA.enqueue({ taskId: "orphan", priority: "normal" });
      const lost = await daemonA.claimNext("a");
      // Daemon A dies here: it never acks. Until minIdleMs passes, nobody else may take it.
      expect(await daemonB.claimNext("b")).toBeUndefined();
      await harness.letTimePass(MIN_IDLE_MS + 100);
      await daemonA.enqueue({ taskId: "newer", priority: "normal" });
      const reclaimed = await daemonB.claimNext("b");
      expect(reclaimed).toMatchObject({ id: lost?.id, consumer: "b", deliveryCount: 2 });
      expect(reclaimed?.entry.taskId).toBe("orphan");
      expect(await lost?.heartbeat()).toBe(false);
      expect(await reclaimed?.ack()).toBe(true);
      expect((await daemonB.claimNext("b"))?.entry.taskId).toBe("newer");
    });

    it("keeps a delivery whose consumer sends heartbeats from being claimed", async () => {
      await daemonA.enqueue({ taskId: "long", priority: "normal" });
      const delivery = await daemonA.claimNext("a");
      await harness.letTimePass(MIN_IDLE_MS * 0.6);
      expect(await delivery?.heartbeat()).toBe(true);
      await harness.letTimePass(MIN_IDLE_MS * 0.6);
      expect(await daemonB.claimNext("b")).toBeUndefined();
      expect(await delivery?.ack()).toBe(true);
      expect(await delivery?.heartbeat()).toBe(false);
    });

    it("wakes a waiting claim when another daemon enqueues", async () => {
      const waiting = daemonB.claimNext("b", { blockMs: 5_000 });
      await daemonA.enqueue({ taskId: "wake", priority: "low" });
      expect((await waiting)?.entry.taskId).toBe("wake");
    });

    it("answers a waiting claim with undefined when nothing comes within blockMs", async () => {
      expect(await daemonA.claimNext("a", { blockMs: 50 })).toBeUndefined();
    });

    it("answers a waiting claim with undefined when the queue closes", async () => {
      const waiting = daemonA.claimNext("a", { blockMs: 5_000 });
      await daemonA.close();
      expect(await waiting).toBeUndefined();
    });
  });
}
