import { createHash } from "node:crypto";
import type { ConsumerWorker, ProducerQueue } from "./backends.js";

/**
 * One line, a BullMQ queue with a worker of its own on each daemon: the default lane of
 * top-level tasks, a project's lane (one task at a time across all daemons: BullMQ's
 * global concurrency), or the parts'; or a daemon's line of the tasks pinned to its agents,
 * which only that daemon serves (the others only put tasks in it).
 */
export interface Lane {
  readonly label: "task" | "part" | "pinned task";
  readonly queueName: string;
  readonly concurrency: number;
  /** 1 for a project's lane, set on the queue before its first task; null for no limit. */
  readonly globalConcurrency: 1 | null;
  globalConcurrencySet: boolean;
  queue: ProducerQueue | undefined;
  worker: ConsumerWorker | undefined;
  loop: Promise<void> | undefined;
}

/** A finished job is gone (removeOnComplete), so "unknown" too means it can be nobody's parent any more. */
const NOT_A_PARENT = new Set(["unknown", "completed", "failed"]);

/** A lane with nothing open yet. */
export function newLane(
  label: Lane["label"],
  queueName: string,
  concurrency: number,
  globalConcurrency: Lane["globalConcurrency"],
): Lane {
  return {
    label,
    queueName,
    concurrency,
    globalConcurrency,
    globalConcurrencySet: false,
    queue: undefined,
    worker: undefined,
    loop: undefined,
  };
}

/** Where the job of task `parentId` is, as a BullMQ parent: in the first of `queues` that has it; undefined once it finished. */
export async function parentJob(
  parentId: string,
  queues: ProducerQueue[],
): Promise<{ id: string; queue: string } | undefined> {
  for (const queue of queues) {
    if (!NOT_A_PARENT.has(await queue.state(parentId))) return { id: parentId, queue: queue.qualifiedName };
  }
  return undefined;
}

/** The queue of a project's lane: queue names take no ":" and should stay short, so a digest of the lane names it. */
export function laneQueueName(queueName: string, lane: string): string {
  return `${queueName}-lane-${digest(lane)}`;
}

/** The queue of the tasks pinned to daemon `daemon`'s agents, named by a digest like a lane's. */
export function daemonQueueName(queueName: string, daemon: string): string {
  return `${queueName}-daemon-${digest(daemon)}`;
}

function digest(name: string): string {
  return createHash("sha256").update(name).digest("hex").slice(0, 16);
}
