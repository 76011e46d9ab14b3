import { LocalTaskScheduler } from "../src/scheduler/local-task-scheduler.js";
import { describeTaskSchedulerContract } from "./task-scheduler.contract.js";

describeTaskSchedulerContract("LocalTaskScheduler", async () => {
  const schedulers: LocalTaskScheduler[] = [];
  return {
    kind: "memory",
    open: async (limits) => {
      const scheduler = new LocalTaskScheduler({ retryBaseMs: 10, ...limits });
      schedulers.push(scheduler);
      return scheduler;
    },
    dispose: async () => {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    },
  };
});
