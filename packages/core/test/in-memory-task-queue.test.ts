import { InMemoryTaskQueue } from "../src/queue/in-memory-task-queue.js";
import { ManualClock } from "./support/manual-clock.js";
import { describeTaskQueueContract } from "./task-queue.contract.js";

describeTaskQueueContract("InMemoryTaskQueue", async () => {
  const clock = new ManualClock();
  let queue: InMemoryTaskQueue | undefined;
  return {
    open: async ({ minIdleMs }) => {
      queue ??= new InMemoryTaskQueue({ clock, minIdleMs });
      return queue;
    },
    letTimePass: async (ms) => clock.advance(ms),
    dispose: async () => queue?.close(),
  };
});
