import { CcaError } from "../errors/cca-error.js";
import { type Logger, noopLogger } from "../logger.js";
import { PARTS_END_WAIT_MS, partsStillOpen } from "./parts-wait.js";
import { checkPriority, comesBefore, type LinePlace, PriorityLine } from "./priority-line.js";
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, retryDelayMs } from "./retry-delay.js";
import {
  checkConcurrency,
  DEFAULT_PART_CONCURRENCY,
  DEFAULT_TASK_CONCURRENCY,
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

/** The line of the parts, of the tasks pinned to this daemon's agents, and the lane of a task without one. */
const PARTS = "\0parts";
const PINNED = "\0pinned";
const DEFAULT_LANE = "";
/** Lines served beside the lanes, several at a time. */
const SIDE_LINES = new Set([PARTS, PINNED]);

/**
 * The TaskScheduler of a daemon that runs alone: in-memory lines, critical before high,
 * normal, low, first come first served within a priority. Top-level tasks wait in the line
 * of their lane (project) and run one at a time per lane, up to `taskConcurrency` lanes at
 * once; parts run up to `partConcurrency` at a time beside them, and so do tasks pinned to
 * one agent (there is only this daemon to run them). What is in line is lost
 * with the process; the daemon re-enqueues its queued tasks from the repository when it
 * starts.
 *
 * @example
 * const scheduler = new LocalTaskScheduler({ logger });
 * await scheduler.start(async ({ taskId, attempt }) => {
 *   await orchestrator.run(taskId, { resumed: attempt > 1 });
 *   return "ended";
 * });
 * await scheduler.enqueue({ taskId: task.id, priority: task.priority, lane: task.project });
 */
export class LocalTaskScheduler implements TaskScheduler {
  readonly #logger: Logger;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #taskConcurrency: number;
  readonly #partConcurrency: number;
  /** Each lane's line (the parts' too, under PARTS), and how many of each run now. */
  readonly #lines = new Map<string, PriorityLine>();
  readonly #runningIn = new Map<string, number>();
  /** The line each task in line, waiting for a retry or running belongs to. */
  readonly #lineOf = new Map<string, string>();
  /** The attempt number each such task will be (or is) handed out with. */
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
    this.#taskConcurrency = checkConcurrency(
      "taskConcurrency",
      options.taskConcurrency ?? DEFAULT_TASK_CONCURRENCY,
    );
    this.#partConcurrency = checkConcurrency(
      "partConcurrency",
      options.partConcurrency ?? DEFAULT_PART_CONCURRENCY,
    );
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
    const key =
      parentId !== undefined ? PARTS : entry.daemon !== undefined ? PINNED : (entry.lane ?? DEFAULT_LANE);
    if (parentId !== undefined && this.#attempts.has(parentId)) {
      const open = this.#openParts.get(parentId) ?? new Set();
      this.#openParts.set(parentId, open.add(entry.taskId));
      this.#taskOf.set(entry.taskId, parentId);
    }
    this.#line(key).push(entry.taskId, entry.priority);
    this.#lineOf.set(entry.taskId, key);
    this.#attempts.set(entry.taskId, 1);
    this.#dispatch();
  }

  async remove(taskId: string): Promise<boolean> {
    const retry = this.#retrying.get(taskId);
    if (retry) {
      clearTimeout(retry.timer);
      this.#retrying.delete(taskId);
    } else if (!this.#lines.get(this.#lineOf.get(taskId) ?? "")?.remove(taskId)) {
      return false;
    }
    this.#forget(taskId);
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
    for (const wake of this.#partWatchers) wake();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  async health(): Promise<SchedulerHealth> {
    return { kind: "memory", up: true };
  }

  #line(key: string): PriorityLine {
    let line = this.#lines.get(key);
    if (!line) {
      line = new PriorityLine();
      this.#lines.set(key, line);
    }
    return line;
  }

  /** Hands out what may run now: parts and pinned tasks while there is room, and the next task of each idle lane. */
  #dispatch(): void {
    const handler = this.#handler;
    if (!handler || this.#stopped) return;
    for (const key of SIDE_LINES) {
      const line = this.#line(key);
      while ((this.#runningIn.get(key) ?? 0) < this.#partConcurrency) {
        const place = line.shift();
        if (!place) break;
        this.#launch(handler, key, place);
      }
    }
    while (this.#runningTasks() < this.#taskConcurrency) {
      const next = this.#nextIdleLane();
      if (next === undefined) break;
      const place = this.#line(next).shift();
      if (place) this.#launch(handler, next, place);
    }
  }

  #runningTasks(): number {
    let count = 0;
    for (const [key, running] of this.#runningIn) if (!SIDE_LINES.has(key)) count += running;
    return count;
  }

  /** The idle lane whose first task comes first, by priority and then arrival. */
  #nextIdleLane(): string | undefined {
    let best: { key: string; place: LinePlace } | undefined;
    for (const [key, line] of this.#lines) {
      if (SIDE_LINES.has(key) || (this.#runningIn.get(key) ?? 0) > 0) continue;
      const place = line.peek();
      if (place && (!best || comesBefore(place, best.place))) best = { key, place };
    }
    return best?.key;
  }

  #launch(handler: RunHandler, key: string, place: LinePlace): void {
    this.#runningIn.set(key, (this.#runningIn.get(key) ?? 0) + 1);
    const run: Promise<void> = this.#run(handler, key, place).finally(() => {
      const left = (this.#runningIn.get(key) ?? 1) - 1;
      if (left > 0) this.#runningIn.set(key, left);
      else this.#runningIn.delete(key);
      if (!SIDE_LINES.has(key) && this.#lines.get(key)?.size === 0 && left === 0) this.#lines.delete(key);
      this.#inFlight.delete(run);
      this.#dispatch();
    });
    this.#inFlight.add(run);
  }

  async #run(handler: RunHandler, key: string, place: LinePlace): Promise<void> {
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
        this.#line(key).restore(place);
        return;
      }
      const timer = setTimeout(() => {
        this.#retrying.delete(taskId);
        this.#line(key).restore(place);
        this.#dispatch();
      }, retryInMs);
      timer.unref();
      this.#retrying.set(taskId, { place, timer });
      return;
    }
    if (outcome === "requeued") {
      this.#attempts.set(taskId, attempt + 1);
      this.#line(key).restore(place);
    } else {
      this.#forget(taskId);
    }
  }

  /** The task's entry is done: a part's task may now finish. */
  #forget(taskId: string): void {
    this.#attempts.delete(taskId);
    this.#lineOf.delete(taskId);
    const parentId = this.#taskOf.get(taskId);
    if (parentId === undefined) return;
    this.#taskOf.delete(taskId);
    this.#openParts.get(parentId)?.delete(taskId);
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
