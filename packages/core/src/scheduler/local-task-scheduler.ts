import { CcaError } from "../errors/cca-error.js";
import { type Logger, noopLogger } from "../logger.js";
import { checkPriority, type LinePlace, PriorityLine } from "./priority-line.js";
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, retryDelayMs } from "./retry-delay.js";
import type { RunHandler, ScheduleEntry, SchedulerHealth, TaskScheduler } from "./task-scheduler.js";

/** Options for a LocalTaskScheduler. */
export interface LocalTaskSchedulerOptions {
  /** Receives handler failures; default: drops them. */
  logger?: Logger;
  /** Wait before retrying a task whose handler rejected, doubled on each further failure; default 500 ms. */
  retryBaseMs?: number;
  /** Longest wait between retries; default 30 s. */
  retryMaxMs?: number;
}

/**
 * The TaskScheduler of a daemon that runs alone: an in-memory line, critical before high,
 * normal, low, first come first served within a priority, handed to the handler one task
 * at a time. What is in line is lost with the process; the daemon re-enqueues its queued
 * tasks from the repository when it starts.
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
  readonly #line = new PriorityLine();
  /** The attempt number each task in line, waiting for a retry or running will be (or is) handed out with. */
  readonly #attempts = new Map<string, number>();
  /** Tasks whose handler rejected, waiting out their backoff before they go back in line. */
  readonly #retrying = new Map<string, { place: LinePlace; timer: NodeJS.Timeout }>();
  #handler: RunHandler | undefined;
  #running: string | undefined;
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(options: LocalTaskSchedulerOptions = {}) {
    this.#logger = options.logger ?? noopLogger;
    this.#retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
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
    this.#line.push(entry.taskId, entry.priority);
    this.#attempts.set(entry.taskId, 1);
    this.#dispatch();
  }

  async remove(taskId: string): Promise<boolean> {
    const retry = this.#retrying.get(taskId);
    if (retry) {
      clearTimeout(retry.timer);
      this.#retrying.delete(taskId);
    } else if (!this.#line.remove(taskId)) {
      return false;
    }
    this.#attempts.delete(taskId);
    return true;
  }

  async start(handler: RunHandler): Promise<void> {
    if (this.#stopped) throw new CcaError("shutting_down", "The scheduler has stopped; create a new one");
    if (this.#handler) throw new CcaError("internal", "The scheduler is already started; start it only once");
    this.#handler = handler;
    this.#dispatch();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const { timer } of this.#retrying.values()) clearTimeout(timer);
    await this.#inFlight;
  }

  async health(): Promise<SchedulerHealth> {
    return { kind: "memory", up: true };
  }

  /** Hands the next task in line to the handler, unless one is running or the scheduler is idle. */
  #dispatch(): void {
    const handler = this.#handler;
    if (!handler || this.#stopped || this.#running !== undefined) return;
    const place = this.#line.shift();
    if (!place) return;
    this.#running = place.id;
    this.#inFlight = this.#run(handler, place).finally(() => {
      this.#running = undefined;
      this.#inFlight = undefined;
      this.#dispatch();
    });
  }

  async #run(handler: RunHandler, place: LinePlace): Promise<void> {
    const taskId = place.id;
    const attempt = this.#attempts.get(taskId) ?? 1;
    let outcome: Awaited<ReturnType<RunHandler>>;
    try {
      outcome = await handler({ taskId, attempt });
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
        this.#line.restore(place);
        return;
      }
      const timer = setTimeout(() => {
        this.#retrying.delete(taskId);
        this.#line.restore(place);
        this.#dispatch();
      }, retryInMs);
      timer.unref();
      this.#retrying.set(taskId, { place, timer });
      return;
    }
    if (outcome === "requeued") {
      this.#attempts.set(taskId, attempt + 1);
      this.#line.restore(place);
    } else {
      this.#attempts.delete(taskId);
    }
  }
}
