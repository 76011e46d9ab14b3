import { type Job, type JobsOptions, WaitingError } from "bullmq";
import type { TaskPriority } from "../domain/schemas.js";
import { CcaError } from "../errors/cca-error.js";
import { type Logger, noopLogger } from "../logger.js";
import { PARTS_END_WAIT_MS, partsStillOpen } from "../scheduler/parts-wait.js";
import { checkPriority } from "../scheduler/priority-line.js";
import { DEFAULT_RETRY_BASE_MS, DEFAULT_RETRY_MAX_MS, retryDelayMs } from "../scheduler/retry-delay.js";
import {
  checkConcurrency,
  DEFAULT_PART_CONCURRENCY,
  DEFAULT_TASK_CONCURRENCY,
  type RunHandler,
  type RunOutcome,
  type ScheduleEntry,
  type SchedulerHealth,
  type SchedulerLimits,
  type TaskScheduler,
} from "../scheduler/task-scheduler.js";
import {
  type BullmqBackend,
  type CommonWorkerOptions,
  type ProducerQueue,
  postgresBackend,
  redisBackend,
  type TASK_JOB_NAME,
  type TaskJobData,
  type TaskProcessor,
} from "./backends.js";
import {
  DeadlineExceeded,
  isConnectionFailure,
  reasonOf,
  ServiceDown,
  settlesWithin,
  ThrottledWarnings,
  withDeadline,
} from "./failures.js";
import { daemonQueueName, type Lane, laneQueueName, newLane, parentJob } from "./lanes.js";
import { TaskSlots } from "./task-slots.js";

/** Where the shared queue lives. */
export type BullmqConnectionOptions =
  | { backend: "redis"; url: string }
  | { backend: "postgres"; url: string };

/** Options for a BullmqTaskScheduler. */
export type BullmqTaskSchedulerOptions = BullmqConnectionOptions &
  SchedulerLimits & {
    /**
     * The BullMQ queue of top-level tasks every daemon of one deployment shares; default
     * `cca-tasks`. Parts go in `<queueName>-parts`.
     */
    queueName?: string;
    /**
     * This daemon's name (`daemon.name`): the tasks pinned to its agents (messages to one
     * agent) wait in a line of its own, `<queueName>-daemon-<digest>`, which only it serves.
     * Without it, this scheduler serves no such line (it may still put tasks in others').
     */
    daemonName?: string;
    /**
     * Redis: the key prefix, default `cca` (keys are `<prefix>:<queueName>:…`; a trailing
     * ":" is dropped, so `redis.key_prefix` can be passed as is). PostgreSQL: the schema,
     * created and migrated on first connect, default `bullmq`.
     */
    prefix?: string;
    /**
     * How long a running task's lock lasts without renewal (its daemon renews it every
     * half of this). A daemon that dies stops renewing; about this long later another
     * daemon takes the task over. Default 30 s; the daemon passes `redis.claim_idle_ms`.
     */
    lockDurationMs?: number;
    /** How often each daemon looks for tasks whose lock ran out; default half of `lockDurationMs`. */
    stalledCheckIntervalMs?: number;
    /** Wait before retrying a task whose handler rejected, doubled on each further failure; default 500 ms. */
    retryBaseMs?: number;
    /** Longest wait between retries; default 30 s. */
    retryMaxMs?: number;
    /**
     * How long `enqueue`, `remove` and `health` wait for the service before they give up
     * with `dependency_unavailable`; also the connect timeout. Default 3 s.
     */
    timeoutMs?: number;
    logger?: Logger;
  };

/** The queue name every daemon uses unless told otherwise. */
export const DEFAULT_QUEUE_NAME = "cca-tasks";
const DEFAULT_LOCK_DURATION_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 3_000;
/** `attempts` and `maxStalledCount` for "never give up" (the largest PostgreSQL `integer`). */
const UNLIMITED = 2 ** 31 - 1;
/** A custom BullMQ backoff type: exponential, capped at `retryMaxMs` (see the worker's `backoffStrategy`). */
const BACKOFF_TYPE = "cca-capped-exponential";
/** BullMQ priorities: 1 is served first. */
const BULLMQ_PRIORITY: Record<TaskPriority, number> = { critical: 1, high: 2, normal: 3, low: 4 };
/** What BullMQ accepts as a schema name. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;
/** Pause before the worker retries after a connection error. */
const RECONNECT_RETRY_MS = 2_000;
/** Pause before replacing a worker that could not start, growing up to `retryMaxMs`. */
const WORKER_RESTART_BASE_MS = 1_000;
/** How often an ended task's entry looks whether its parts' entries have finished. */
const PARTS_POLL_MS = 100;

type TaskJob = Job<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>;

function taskIdOf(job: TaskJob): string {
  return job.id ?? job.data.taskId;
}

/**
 * The TaskScheduler for several daemons sharing work through BullMQ, on Redis or on
 * PostgreSQL (BullMQ's PostgreSQL backend). Each daemon runs one top-level task at a time
 * and up to `partConcurrency` parts. A part is a child job of its task's job (a BullMQ flow)
 * in a queue of its own, so any daemon may run it, and its task's job finishes only once
 * its parts' jobs have. A job id is its task id, so enqueueing is idempotent. A daemon that dies mid-run stops
 * renewing its job's lock; about `lockDurationMs` later another daemon's stalled-job check
 * puts the job back in line and it is handed out again with `attempt` > 1. A handler that
 * rejects has its task retried with exponential backoff, without limit.
 *
 * While the service is down nothing throws out of band: connection errors are logged,
 * `enqueue` and `remove` reject with `dependency_unavailable` within `timeoutMs`, and the
 * worker picks up again by itself once the service is back.
 *
 * @example
 * const scheduler = new BullmqTaskScheduler({
 *   backend: "redis",
 *   url: config.redis.url,
 *   lockDurationMs: config.redis.claim_idle_ms,
 *   logger,
 * });
 * await scheduler.start(async ({ taskId, attempt }) => {
 *   await orchestrator.run(taskId, { resumed: attempt > 1 });
 *   return "ended";
 * });
 * await scheduler.enqueue({ taskId: task.id, priority: task.priority });
 */
export class BullmqTaskScheduler implements TaskScheduler {
  readonly #backend: BullmqBackend;
  readonly #logger: Logger;
  readonly #warnings: ThrottledWarnings;
  readonly #lockDurationMs: number;
  readonly #stalledCheckIntervalMs: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #timeoutMs: number;
  readonly #queueName: string;
  readonly #tasks: Lane;
  readonly #parts: Lane;
  /** The lanes of projects, opened when a task of theirs is enqueued here. */
  readonly #projectLanes = new Map<string, Lane>();
  /** This daemon's line of the tasks pinned to its agents (none without `daemonName`). */
  readonly #ownPinned: Lane | null;
  /** Other daemons' lines of pinned tasks, which this one only puts tasks in. */
  readonly #otherPinned = new Map<string, Lane>();
  readonly #daemonName: string | undefined;
  readonly #partConcurrency: number;
  readonly #taskSlots: TaskSlots;
  /** Set by `start`; lanes opened later start their workers with it. */
  #handler: RunHandler | undefined;
  /** The handler calls in progress (they settle, never reject). */
  readonly #inFlight = new Set<Promise<void>>();
  #lastConnectionError: string | undefined;
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #requestStop: () => void = () => {};
  /** Resolves once `stop` is called, to cut waits short. */
  readonly #stopRequested = new Promise<void>((resolve) => {
    this.#requestStop = resolve;
  });

  constructor(options: BullmqTaskSchedulerOptions) {
    const queueName = options.queueName ?? DEFAULT_QUEUE_NAME;
    if (queueName === "" || queueName.includes(":")) {
      throw new CcaError("invalid_config", `Queue name "${queueName}" must be non-empty and contain no ":"`);
    }
    if (options.backend === "postgres" && options.prefix !== undefined && !SCHEMA_NAME.test(options.prefix)) {
      throw new CcaError(
        "invalid_config",
        `PostgreSQL schema "${options.prefix}" for the task queue must be a plain identifier (a letter or _, then letters, digits, _ or $; at most 63)`,
      );
    }
    const partConcurrency = checkConcurrency(
      "partConcurrency",
      options.partConcurrency ?? DEFAULT_PART_CONCURRENCY,
    );
    this.#taskSlots = new TaskSlots(
      checkConcurrency("taskConcurrency", options.taskConcurrency ?? DEFAULT_TASK_CONCURRENCY),
    );
    this.#queueName = queueName;
    this.#tasks = newLane("task", queueName, 1, null);
    this.#parts = newLane("part", `${queueName}-parts`, partConcurrency, null);
    this.#partConcurrency = partConcurrency;
    this.#daemonName = options.daemonName;
    this.#ownPinned =
      options.daemonName === undefined
        ? null
        : newLane("pinned task", daemonQueueName(queueName, options.daemonName), partConcurrency, null);
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeouts = { connectTimeoutMs: this.#timeoutMs };
    const logger = options.logger ?? noopLogger;
    this.#backend =
      options.backend === "redis"
        ? // BullMQ puts its own ":" after the prefix, so `cca:` (redis.key_prefix) means `cca`.
          redisBackend(options.url, (options.prefix ?? "cca").replace(/:+$/, ""), timeouts)
        : postgresBackend(
            options.url,
            options.prefix ?? "bullmq",
            timeouts,
            logger.child({ scheduler: "bullmq-postgres" }),
          );
    this.#logger = logger.child({ scheduler: this.#backend.kind, queue: queueName });
    this.#warnings = new ThrottledWarnings(this.#logger);
    this.#lockDurationMs = options.lockDurationMs ?? DEFAULT_LOCK_DURATION_MS;
    this.#stalledCheckIntervalMs = options.stalledCheckIntervalMs ?? Math.max(1, this.#lockDurationMs / 2);
    this.#retryBaseMs = options.retryBaseMs ?? DEFAULT_RETRY_BASE_MS;
    this.#retryMaxMs = options.retryMaxMs ?? DEFAULT_RETRY_MAX_MS;
  }

  async enqueue(entry: ScheduleEntry): Promise<void> {
    checkPriority(entry);
    this.#refuseWhenStopping(`task ${entry.taskId} was not put in line`);
    const options: JobsOptions = {
      priority: BULLMQ_PRIORITY[entry.priority],
      attempts: UNLIMITED,
      backoff: { type: BACKOFF_TYPE },
      // Gone once done: nothing accumulates, and an ended task's id can be enqueued again.
      removeOnComplete: true,
      removeOnFail: true,
    };
    const { parentId } = entry;
    if (parentId === undefined && entry.daemon !== undefined) {
      const line = this.#pinnedLane(entry.daemon);
      await this.#withQueues(`put task ${entry.taskId} in line for ${entry.daemon}`, [line], ([queue]) =>
        queue!.add(entry.taskId, options),
      );
      return;
    }
    const taskLane = this.#taskLane(entry.lane);
    if (parentId === undefined) {
      await this.#withQueues(`put task ${entry.taskId} in line`, [taskLane], async ([queue]) => {
        if (taskLane.globalConcurrency !== null && !taskLane.globalConcurrencySet) {
          await queue!.setGlobalConcurrency(taskLane.globalConcurrency);
          taskLane.globalConcurrencySet = true;
        }
        await queue!.add(entry.taskId, options);
      });
      return;
    }
    await this.#withQueues(
      `put part ${entry.taskId} of task ${parentId} in line`,
      [taskLane, this.#parts],
      async ([tasks, parts]) => {
        const parent = await parentJob(parentId, [tasks!, parts!]);
        if (parent) {
          try {
            await parts!.add(entry.taskId, { ...options, parent });
            return;
          } catch (error) {
            // The parent's job finished just now: the part goes in line on its own.
            if (!/parent/i.test(reasonOf(error))) throw error;
          }
        }
        this.#logger.debug("part put in line without its task's job, which has finished or is lost", {
          taskId: entry.taskId,
          parentId,
        });
        await parts!.add(entry.taskId, options);
      },
    );
  }

  async remove(taskId: string, where: Pick<ScheduleEntry, "lane" | "daemon"> = {}): Promise<boolean> {
    this.#refuseWhenStopping(`task ${taskId} was not taken out of line`);
    const lanes = [
      where.daemon === undefined ? this.#taskLane(where.lane) : this.#pinnedLane(where.daemon),
      this.#parts,
    ];
    return await this.#withQueues(`take task ${taskId} out of line`, lanes, async (queues) => {
      for (const queue of queues) if (await queue.remove(taskId)) return true;
      return false;
    });
  }

  async start(handler: RunHandler): Promise<void> {
    this.#refuseWhenStopping("it cannot start again; create a new one");
    if (this.#handler) throw new CcaError("internal", "The scheduler is already started; start it only once");
    this.#handler = handler;
    for (const lane of this.#lanes()) this.#startWorker(handler, lane);
  }

  stop(): Promise<void> {
    this.#stopped ??= this.#stop();
    return this.#stopped;
  }

  async health(): Promise<SchedulerHealth> {
    const kind = this.#backend.kind;
    if (this.#stopping) return { kind, up: false, error: "the scheduler has stopped" };
    const queue = this.#openQueue(this.#tasks);
    try {
      await withDeadline(
        (async () => {
          await this.#ready(this.#tasks, queue);
          await queue.ping();
        })(),
        this.#timeoutMs,
      );
      return { kind, up: true };
    } catch (error) {
      return { kind, up: false, error: this.#unavailable(error).message };
    }
  }

  #refuseWhenStopping(consequence: string): void {
    if (this.#stopping) throw new CcaError("shutting_down", `The scheduler has stopped; ${consequence}`);
  }

  /** The lines this daemon serves. */
  #lanes(): Lane[] {
    return [
      this.#tasks,
      this.#parts,
      ...this.#projectLanes.values(),
      ...(this.#ownPinned ? [this.#ownPinned] : []),
    ];
  }

  /** The line of the tasks pinned to daemon `daemon`'s agents: this one's own, or another's (opened now if need be). */
  #pinnedLane(daemon: string): Lane {
    if (daemon === this.#daemonName && this.#ownPinned) return this.#ownPinned;
    let found = this.#otherPinned.get(daemon);
    if (!found) {
      found = newLane("pinned task", daemonQueueName(this.#queueName, daemon), this.#partConcurrency, null);
      this.#otherPinned.set(daemon, found);
    }
    return found;
  }

  /** The lane of top-level tasks of project `lane` (opened now if need be), or the default one. */
  #taskLane(lane: string | undefined): Lane {
    if (lane === undefined) return this.#tasks;
    let found = this.#projectLanes.get(lane);
    if (!found) {
      found = newLane("task", laneQueueName(this.#queueName, lane), 1, 1);
      this.#projectLanes.set(lane, found);
      if (this.#handler && !this.#stopping) this.#startWorker(this.#handler, found);
    }
    return found;
  }

  #startWorker(handler: RunHandler, lane: Lane): void {
    const processor: TaskProcessor = (job, token) => this.#process(handler, lane, job, token);
    lane.loop = this.#keepWorkerRunning(lane, processor);
  }

  #openQueue(lane: Lane): ProducerQueue {
    lane.queue ??= this.#backend.openQueue(lane.queueName, (error) =>
      this.#onConnectionError("producer", error),
    );
    return lane.queue;
  }

  /** Waits for the queue's connection; a queue whose start failed for good is replaced on the next call. */
  async #ready(lane: Lane, queue: ProducerQueue): Promise<void> {
    try {
      await queue.ready();
    } catch (error) {
      if (error instanceof ServiceDown) throw error;
      if (lane.queue === queue) lane.queue = undefined;
      queue.close().catch((closeError: unknown) => this.#warnings.warn("closing a failed queue", closeError));
      throw error;
    }
  }

  async #withQueues<T>(
    action: string,
    lanes: Lane[],
    work: (queues: ProducerQueue[]) => Promise<T>,
  ): Promise<T> {
    const queues = lanes.map((lane) => this.#openQueue(lane));
    let result: T;
    try {
      // Two deadlines: a request is sent only once connected, so one that timed out
      // waiting for the connection cannot take effect later.
      await withDeadline(
        Promise.all(lanes.map((lane, index) => this.#ready(lane, queues[index]!))),
        this.#timeoutMs,
      );
      result = await withDeadline(work(queues), this.#timeoutMs);
    } catch (error) {
      if (error instanceof DeadlineExceeded || isConnectionFailure(error)) throw this.#unavailable(error);
      const { serviceName, shownUrl, dependency } = this.#backend;
      throw new CcaError(
        "internal",
        `${serviceName} at ${shownUrl} refused to ${action}: ${reasonOf(error)}`,
        {
          cause: error,
          details: { dependency },
        },
      );
    }
    this.#lastConnectionError = undefined;
    return result;
  }

  #unavailable(error: unknown): CcaError {
    const { serviceName, shownUrl, dependency } = this.#backend;
    let reason = reasonOf(error);
    if (error instanceof DeadlineExceeded && this.#lastConnectionError) {
      reason += ` (last error: ${this.#lastConnectionError})`;
    }
    return new CcaError("dependency_unavailable", `${serviceName} at ${shownUrl} is unavailable: ${reason}`, {
      cause: error,
      details: { dependency },
    });
  }

  #onConnectionError(side: "producer" | "worker", error: Error): void {
    this.#lastConnectionError = reasonOf(error);
    this.#warnings.warn(`${this.#backend.serviceName} error`, error, { side, url: this.#backend.shownUrl });
  }

  #workerOptions(lane: Lane): CommonWorkerOptions {
    return {
      autorun: false,
      concurrency: lane.concurrency,
      // How long the worker waits before trying again after a connection error (BullMQ's
      // default, 15 s, makes it slow to resume after an outage of PostgreSQL).
      runRetryDelay: RECONNECT_RETRY_MS,
      lockDuration: this.#lockDurationMs,
      stalledInterval: this.#stalledCheckIntervalMs,
      // A task whose daemon died is always put back in line, never failed for stalling.
      maxStalledCount: UNLIMITED,
      settings: {
        backoffStrategy: (attemptsMade: number) =>
          retryDelayMs(attemptsMade, this.#retryBaseMs, this.#retryMaxMs),
      },
    };
  }

  /**
   * Keeps one worker on the lane's queue running until `stop`: a worker whose connection
   * could not be set up for good (BullMQ's PostgreSQL backend does not retry its first
   * connect) is replaced.
   */
  async #keepWorkerRunning(lane: Lane, processor: TaskProcessor): Promise<void> {
    let failures = 0;
    while (!this.#stopping) {
      const worker = this.#backend.openWorker(lane.queueName, processor, this.#workerOptions(lane), {
        onError: (error) => this.#onConnectionError("worker", error),
        onStalled: (jobId) =>
          this.#logger.info(`${lane.label} put back in line: its daemon stopped renewing its lock`, {
            taskId: jobId,
          }),
        onLockRenewalFailed: (jobIds) =>
          this.#logger.warn(
            `could not renew the lock of a running ${lane.label}; another daemon may take it over`,
            { taskIds: jobIds.join(",") },
          ),
      });
      lane.worker = worker;
      try {
        // A worker that never reached the service may never settle `ready()`, even once closed.
        await Promise.race([worker.ready(), this.#stopRequested]);
        if (this.#stopping) return;
        failures = 0;
        // `stop` closes the worker and waits for it; this loop only has to get out of the
        // way (a worker that lost Redis while closing may never settle `run()`).
        await Promise.race([worker.run(), this.#stopRequested]);
        if (this.#stopping) return;
        this.#logger.error(`${lane.label} worker stopped by itself; starting a new one`);
      } catch (error) {
        if (this.#stopping) return;
        failures += 1;
        this.#warnings.warn(`${lane.label} worker could not start; trying again`, error, {
          url: this.#backend.shownUrl,
          retryInMs: retryDelayMs(failures, WORKER_RESTART_BASE_MS, this.#retryMaxMs),
        });
      }
      lane.worker = undefined;
      await worker.close().catch((error: unknown) => this.#warnings.warn("closing a failed worker", error));
      await this.#pause(retryDelayMs(Math.max(1, failures), WORKER_RESTART_BASE_MS, this.#retryMaxMs));
    }
  }

  /** Waits `ms`, or less if `stop` is called. */
  async #pause(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.#stopRequested,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, ms);
      }),
    ]);
    clearTimeout(timer);
  }

  async #process(
    handler: RunHandler,
    lane: Lane,
    job: TaskJob,
    token: string | undefined,
  ): Promise<RunOutcome> {
    const taskId = taskIdOf(job);
    // attemptsStarted counts every hand-out: the first, after a stall (the daemon died),
    // after "requeued" and after a failed attempt.
    const attempt = Math.max(1, job.attemptsStarted);
    // Handed out again later, to this daemon's successor or another daemon, if it stops meanwhile.
    const release = lane.label === "task" ? await this.#taskSlots.acquire() : () => {};
    const running = Promise.resolve()
      .then(() => handler({ taskId, attempt }))
      .finally(release);
    // Leaves the set as soon as the handler has returned, so `stop` never waits on itself.
    const settled: Promise<void> = running
      .then(
        () => undefined,
        () => undefined,
      )
      .then(() => {
        this.#inFlight.delete(settled);
      });
    this.#inFlight.add(settled);
    let outcome: RunOutcome;
    try {
      outcome = await running;
      if (outcome === "ended") await this.#partsFinished(job);
    } catch (error) {
      this.#logger.error(`${lane.label} handler failed; it will be handed out again`, {
        taskId,
        attempt,
        retryInMs: retryDelayMs(job.attemptsMade + 1, this.#retryBaseMs, this.#retryMaxMs),
        error,
      });
      throw error;
    }
    if (outcome === "requeued") {
      // Back to the front of its priority for any daemon; WaitingError tells the worker
      // the job has been moved already.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    return outcome;
  }

  /** Waits for an ended task's parts' jobs (BullMQ finishes no parent before its children); see PARTS_END_WAIT_MS. */
  async #partsFinished(job: TaskJob): Promise<void> {
    const deadline = Date.now() + PARTS_END_WAIT_MS;
    for (;;) {
      const { unprocessed = 0 } = await job.getDependenciesCount({ unprocessed: true });
      if (unprocessed === 0) return;
      if (this.#stopping || Date.now() >= deadline) throw partsStillOpen(taskIdOf(job), unprocessed);
      await this.#pause(PARTS_POLL_MS);
    }
  }

  async #stop(): Promise<void> {
    this.#stopping = true;
    this.#requestStop();
    const lanes = [...this.#lanes(), ...this.#otherPinned.values()];
    this.#taskSlots.close();
    const closing = lanes.flatMap(({ label, worker }) =>
      worker ? [{ label, worker, closed: worker.close() }] : [],
    );
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
    // The handlers have returned; recording their outcomes and closing needs the service.
    for (const { label, worker, closed } of closing) {
      if (!(await settlesWithin(closed, this.#timeoutMs))) {
        this.#logger.warn(`${label} worker did not close in time; dropping its connections`, {
          url: this.#backend.shownUrl,
          lastError: this.#lastConnectionError,
        });
        worker.drop();
      }
    }
    for (const lane of lanes) {
      if (lane.loop && !(await settlesWithin(lane.loop, this.#timeoutMs))) {
        this.#logger.warn(`${lane.label} worker did not wind down in time`, { url: this.#backend.shownUrl });
      }
      const queue = lane.queue;
      lane.queue = undefined;
      if (queue && !(await settlesWithin(queue.close(), this.#timeoutMs))) {
        this.#logger.warn("queue connection did not close in time", { url: this.#backend.shownUrl });
      }
    }
  }
}
