import { CcaError } from "../errors/cca-error.js";
import { type Logger, noopLogger } from "../logger.js";
import { PARTS_END_WAIT_MS, partsStillOpen } from "./parts-wait.js";
import { checkPriority, type LinePlace, PriorityLine } from "./priority-line.js";
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, retryDelayMs } from "./retry-delay.js";
import {
  DEFAULT_PART_CONCURRENCY,
  type RunHandler,
  type ScheduleEntry,
  type SchedulerHealth,
  type SchedulerLimits,
  type TaskScheduler,
} from "./task-scheduler.js";

/** Options for a LocalTaskScheduler. */
export interface LocalTaskSchedulerOptions extends SchedulerLimits {
  /** Receives handler failures; default: drops them. */
  logger?: Logger;
  /** Wait before retrying a task whose handler rejected, doubled on each further failure; default 500 ms. */
  retryBaseMs?: number;
  /** Longest wait between retries; default 30 s. */
  retryMaxMs?: number;
}

/** One line and how many of its entries may run at once. */
interface Lane {
  readonly line: PriorityLine;
  readonly concurrency: number;
  readonly running: Set<string>;
}

/**
 * The TaskScheduler of a daemon that runs alone: in-memory lines, critical before high,
 * normal, low, first come first served within a priority; top-level tasks handed to the
 * handler one at a time, parts up to `partConcurrency` at a time beside them. What is in
 * line is lost with the process; the daemon re-enqueues its queued tasks from the
 * repository when it starts.
 *
 * @example
 * const scheduler = new LocalTaskScheduler({ logger });
 * await scheduler.start(async ({ taskId, attempt }) => {
 *   await orchestrator.run(taskId, { resumed: attempt > 1 });
 *   return "ended";
 * });
 * await scheduler.enqueue({ taskId: task.id, priority: task.priority });
 */
export class LocalTaskScheduler implements TaskScheduler {
  readonly #logger: Logger;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #tasks: Lane;
  readonly #parts: Lane;
  /** The attempt number each task in line, waiting for a retry or running will be (or is) handed out with. */
  readonly #attempts = new Map<string, number>();
  /** Tasks whose handler rejected, waiting out their backoff before they go back in line. */
  readonly #retrying = new Map<string, { place: LinePlace; timer: NodeJS.Timeout }>();
  readonly #inFlight = new Set<Promise<void>>();
  /** The parts in line or running of each task that has some, and each such part's task. */
  readonly #openParts = new Map<string, Set<string>>();
  readonly #taskOf = new Map<string, string>();
  /** Woken whenever a part's entry finishes, or the scheduler stops. */
  readonly #partWatchers = new Set<() => void>();
  #handler: RunHandler | undefined;
  #stopped = false;

  constructor(options: LocalTaskSchedulerOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
    this.#retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
    const partConcurrency = options.partConcurrency ?? DEFAULT_PART_CONCURRENCY;
    if (!Number.isInteger(partConcurrency) || partConcurrency < 1) {
      throw new RangeError(`partConcurrency must be a whole number of at least 1, not ${partConcurrency}`);
    }
    this.#tasks = { line: new PriorityLine(), concurrency: 1, running: new Set() };
    this.#parts = { line: new PriorityLine(), concurrency: partConcurrency, running: new Set() };
  }

  async enqueue(entry: ScheduleEntry): Promise<void> {
    checkPriority(entry);
    if (this.#stopped) {
      throw new CcaError(
        "shutting_down",
        `The scheduler has stopped; task ${entry.taskId} was not put in line`,
      );
    }
    if (this.#attempts.has(entry.taskId)) return;
    const { parentId } = entry;
    const lane = parentId === undefined ? this.#tasks : this.#parts;
    if (parentId !== undefined && this.#attempts.has(parentId)) {
      const open = this.#openParts.get(parentId) ?? new Set();
      this.#openParts.set(parentId, open.add(entry.taskId));
      this.#taskOf.set(entry.taskId, parentId);
    }
    lane.line.push(entry.taskId, entry.priority);
    this.#attempts.set(entry.taskId, 1);
    this.#dispatch(lane);
  }

  async remove(taskId: string): Promise<boolean> {
    const retry = this.#retrying.get(taskId);
    if (retry) {
      clearTimeout(retry.timer);
      this.#retrying.delete(taskId);
    } else if (!this.#tasks.line.remove(taskId) && !this.#parts.line.remove(taskId)) {
      return false;
    }
    this.#attempts.delete(taskId);
    this.#partFinished(taskId);
    return true;
  }

  async start(handler: RunHandler): Promise<void> {
    if (this.#stopped) throw new CcaError("shutting_down", "The scheduler has stopped; create a new one");
    if (this.#handler) throw new CcaError("internal", "The scheduler is already started; start it only once");
    this.#handler = handler;
    this.#dispatch(this.#tasks);
    this.#dispatch(this.#parts);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#retrying.values()) clearTimeout(timer);
    for (const wake of this.#partWatchers) wake();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  async health(): Promise<SchedulerHealth> {
    return { kind: "memory", up: true };
  }

  /** Hands the lane's next entries to the handler while it has room, unless the scheduler is idle. */
  #dispatch(lane: Lane): void {
    const handler = this.#handler;
    while (handler && !this.#stopped && lane.running.size < lane.concurrency) {
      const place = lane.line.shift();
      if (!place) return;
      lane.running.add(place.id);
      const run: Promise<void> = this.#run(handler, lane, place).finally(() => {
        lane.running.delete(place.id);
        this.#inFlight.delete(run);
        this.#dispatch(lane);
      });
      this.#inFlight.add(run);
    }
  }

  async #run(handler: RunHandler, lane: Lane, place: LinePlace): Promise<void> {
    const taskId = place.id;
    const attempt = this.#attempts.get(taskId) ?? 1;
    let outcome: Awaited<ReturnType<RunHandler>>;
    try {
      outcome = await handler({ taskId, attempt });
      if (outcome === "ended") await this.#partsFinished(taskId);
    } catch (error) {
      const retryInMs = retryDelayMs(attempt, this.#retryBaseMs, this.#retryMaxMs);
      this.#logger.error("task handler failed; the task will be handed out again", {
        taskId,
        attempt,
        retryInMs,
        error,
      });
      this.#attempts.set(taskId, attempt + 1);
      if (this.#stopped) {
        lane.line.restore(place);
        return;
      }
      const timer = setTimeout(() => {
        this.#retrying.delete(taskId);
        lane.line.restore(place);
        this.#dispatch(lane);
      }, retryInMs);
      timer.unref();
      this.#retrying.set(taskId, { place, timer });
      return;
    }
    if (outcome === "requeued") {
      this.#attempts.set(taskId, attempt + 1);
      lane.line.restore(place);
    } else {
      this.#attempts.delete(taskId);
      this.#partFinished(taskId);
    }
  }

  #partFinished(partId: string): void {
    const taskId = this.#taskOf.get(partId);
    if (taskId === undefined) return;
    this.#taskOf.delete(partId);
    this.#openParts.get(taskId)?.delete(partId);
    for (const wake of this.#partWatchers) wake();
  }

  /** Resolves once the ended task's parts' entries have finished; see PARTS_END_WAIT_MS. */
  async #partsFinished(taskId: string): Promise<void> {
    const deadline = Date.now() + PARTS_END_WAIT_MS;
    for (;;) {
      const open = this.#openParts.get(taskId)?.size ?? 0;
      if (open === 0) {
        this.#openParts.delete(taskId);
        return;
      }
      const remaining = deadline - Date.now();
      if (this.#stopped || remaining <= 0) throw partsStillOpen(taskId, open);
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#partWatchers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, remaining);
        this.#partWatchers.add(wake);
      });
    }
  }
}
