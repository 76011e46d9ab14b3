import { type EventBus, isTerminalStatus, publishOn, type Task, type TaskScheduler } from "@cca/core";
import { ControlChannel } from "../bus-channels.js";
import { scheduleEntry } from "./schedule-entry.js";
import { type StopReason, stopBeforeStartError, stopStatus } from "./task-outcomes.js";
import type { TaskRecords } from "./task-records.js";

/**
 * Stops a task that does not run on this daemon: one still in line ends at once and
 * leaves the line; one running on another daemon gets a recorded cancel request (that
 * daemon looks every second) and a message on the bus (it hears at once).
 */
export class StopAnywhere {
  readonly #records: TaskRecords;
  readonly #scheduler: TaskScheduler;
  readonly #bus: EventBus;

  constructor(options: { records: TaskRecords; scheduler: TaskScheduler; bus: EventBus }) {
    this.#records = options.records;
    this.#scheduler = options.scheduler;
    this.#bus = options.bus;
  }

  /** Resolves once the task ended (it was still queued) or its daemon was told. */
  async stop(task: Task, reason: StopReason): Promise<void> {
    if (isTerminalStatus(task.status)) return;
    if (task.status === "queued") {
      // Only while it is still queued: a daemon may have just started it.
      const ended = await this.#records.finish(
        task.id,
        stopStatus(reason),
        { error: stopBeforeStartError(reason).toJSON() },
        ["queued"],
      );
      if (ended.status !== "running") {
        const daemon = (await this.#records.repository.runState(task.id))?.brief?.daemon;
        const { lane, daemon: pinnedTo } = scheduleEntry(task, daemon);
        await this.#scheduler.remove(task.id, { lane, daemon: pinnedTo }).catch(() => false);
        return;
      }
    }
    await this.#records.repository.requestCancel(task.id);
    await publishOn(this.#bus, ControlChannel, { cancel: task.id }).catch(() => {});
  }
}
