import { BullmqTaskScheduler, type BullmqTaskSchedulerOptions } from "../../src/bullmq/index.js";
import { createLogger } from "../../src/logger.js";
import type { SchedulerLimits } from "../../src/scheduler/task-scheduler.js";
import { type DoomedDaemon, spawnDoomedDaemon } from "./scheduler-daemon.js";

/** Short enough that a killed daemon's task comes back within a test. */
export const TEST_LOCK_DURATION_MS = 1_000;

/** The options every test scheduler shares; `CCA_TEST_LOG=1` prints their logs. */
export function testSchedulerOptions(
  connection: Pick<BullmqTaskSchedulerOptions, "backend" | "url" | "prefix">,
): BullmqTaskSchedulerOptions {
  return {
    ...connection,
    queueName: "tasks",
    lockDurationMs: TEST_LOCK_DURATION_MS,
    stalledCheckIntervalMs: TEST_LOCK_DURATION_MS / 2,
    retryBaseMs: 50,
    timeoutMs: 2_000,
  } as BullmqTaskSchedulerOptions;
}

/** Opens schedulers and doomed daemons on one line, and stops (or kills) them all at the end. */
export class SchedulerPool {
  readonly #options: BullmqTaskSchedulerOptions;
  readonly #schedulers: BullmqTaskScheduler[] = [];
  readonly #daemons: DoomedDaemon[] = [];

  constructor(options: BullmqTaskSchedulerOptions) {
    this.#options = options;
  }

  open(url = this.#options.url, limits: SchedulerLimits = {}): BullmqTaskScheduler {
    const logger = process.env.CCA_TEST_LOG
      ? createLogger({ level: "debug", write: (line) => process.stderr.write(line) })
      : undefined;
    const scheduler = new BullmqTaskScheduler({ ...this.#options, ...limits, url, logger });
    this.#schedulers.push(scheduler);
    return scheduler;
  }

  async spawnDoomedDaemon(): Promise<DoomedDaemon> {
    const daemon = await spawnDoomedDaemon(this.#options);
    this.#daemons.push(daemon);
    return daemon;
  }

  async close(): Promise<void> {
    await Promise.all(this.#daemons.map((daemon) => daemon.kill()));
    await Promise.all(this.#schedulers.map((scheduler) => scheduler.stop()));
  }
}
