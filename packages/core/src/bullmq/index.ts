export {
  type BullmqConnectionOptions,
  BullmqTaskScheduler,
  type BullmqTaskSchedulerOptions,
  DEFAULT_QUEUE_NAME,
} from "./bullmq-task-scheduler.js";
