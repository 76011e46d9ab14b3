import type { TaskPriority } from "../domain/schemas.js";

/** The order in which a scheduler hands out work: every critical task before any high one, and so on. */
export const QUEUE_PRIORITY_ORDER: readonly TaskPriority[] = ["critical", "high", "normal", "low"];

/** What is put in line: a reference to a task already stored in the task repository. */
export interface ScheduleEntry {
  taskId: string;
  priority: TaskPriority;
  /**
   * For a part (a subtask an agent delegated): the task it is a part of, which runs while
   * its parts do. Parts have a line of their own, served several at a time.
   */
  parentId?: string;
  /**
   * The lane of a top-level task (its project): a lane's tasks run one at a time, in
   * order, across all daemons; different lanes run side by side. For a part, the lane of
   * its task. Tasks without one share a default lane, run one at a time per daemon.
   */
  lane?: string;
  /**
   * For a task pinned to one agent (a message to it): the daemon whose agent that is. It
   * waits in that daemon's own line, which only that daemon serves, beside its other work
   * (as many at a time as parts; each agent takes one at a time), and not in a lane.
   */
  daemon?: string;
}

/** One task handed to this daemon to run. */
export interface ScheduledRun {
  taskId: string;
  /** 1 the first time; more when it is handed out again (its daemon died, or put it back in line). */
  attempt: number;
}

/**
 * How a run ended, as far as the scheduler cares: "ended" once the task's end is stored
 * (the entry is done and never handed out again); "requeued" when the daemon stopped it
 * without ending it (e.g. it shut down), so it goes back in line for any daemon.
 */
export type RunOutcome = "ended" | "requeued";

/** What a scheduler needs to run: the daemon's handler for one task. */
export type RunHandler = (run: ScheduledRun) => Promise<RunOutcome>;

/** Whether the scheduler's backing service answers, for `/health`. */
export interface SchedulerHealth {
  /** "memory", "bullmq-redis" or "bullmq-postgres". */
  kind: string;
  up: boolean;
  /** Why it is down, when it is. */
  error?: string;
}

/** Options every scheduler takes. */
export interface SchedulerLimits {
  /** How many top-level tasks (of different lanes) one daemon runs at a time; default 1. */
  taskConcurrency?: number;
  /** How many parts one daemon runs at a time; default 8 (the daemon passes `daemon.max_agents`). */
  partConcurrency?: number;
}

export const DEFAULT_TASK_CONCURRENCY = 1;
export const DEFAULT_PART_CONCURRENCY = 8;

/** Checks a concurrency limit: a whole number of at least 1. */
export function checkConcurrency(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number of at least 1, not ${value}`);
  }
  return value;
}

/**
 * Decides which daemon runs which task, and when: top-level tasks one at a time per lane
 * (a project), up to `taskConcurrency` lanes at a time per daemon; parts (subtasks) beside
 * them, up to `partConcurrency` at a time per daemon. A part is linked to its task: with
 * BullMQ it is a child job of the task's job (a flow), so the task's job cannot finish
 * while a part of it has not, and a part whose daemon died is handed to another daemon
 * while its task goes on. The orchestrator talks only to this interface: `LocalTaskScheduler` (one daemon, in process) and the BullMQ one
 * (several daemons sharing work, on Redis or PostgreSQL) behave the same to it.
 *
 * Delivery is at least once. A task may be handed out again after its daemon died while
 * running it, even after the work finished but before the end was recorded here; so the
 * handler reads the task's stored state first and returns "ended" at once for a task that
 * already ended. The repository, not the scheduler, is the truth about a task.
 *
 * @example
 * const scheduler = new LocalTaskScheduler();
 * await scheduler.start(async ({ taskId }) => { await runTask(taskId); return "ended"; });
 * await scheduler.enqueue({ taskId: task.id, priority: task.priority });
 */
export interface TaskScheduler {
  /**
   * Puts a stored task in line, behind the others of its priority; higher priorities first.
   * A part (`parentId` set) goes in the parts' line, linked to its task's entry where that
   * is still known. Idempotent per task id: a task that is already in line or running is not added twice,
   * so re-queueing every queued task from the repository is always safe. Resolves once the
   * entry is safely in line; rejects with `dependency_unavailable` if the backing service is down.
   */
  enqueue(entry: ScheduleEntry): Promise<void>;
  /** Takes a task out of line if no daemon has started it; true if it did. `where`: the lane or daemon it was enqueued with. */
  remove(taskId: string, where?: Pick<ScheduleEntry, "lane" | "daemon">): Promise<boolean>;
  /**
   * Starts handing tasks to `handler`: top-level tasks one at a time per lane, and parts
   * beside them. The handler tells them apart by the stored task.
   */
  start(handler: RunHandler): Promise<void>;
  /**
   * Stops handing out tasks. Runs in progress are the daemon's to stop; this resolves once
   * their handlers have returned and their outcomes are recorded. Releases connections.
   */
  stop(): Promise<void>;
  health(): Promise<SchedulerHealth>;
}
