import type { TaskPriority } from "../domain/schemas.js";

/** The order in which a queue hands out work: every critical entry before any high one, and so on. */
export const QUEUE_PRIORITY_ORDER: readonly TaskPriority[] = ["critical", "high", "normal", "low"];

/** What is queued: a reference to a task the daemon has already stored, not the task itself. */
export interface QueueEntry {
  taskId: string;
  priority: TaskPriority;
  /** Optional JSON the consumer needs to route the task; the task's own record stays the truth. */
  payload?: unknown;
}

/** How long `claimNext` may wait for work. */
export interface ClaimOptions {
  /** Wait up to this many milliseconds for an entry when none is ready; default 0 (answer at once). */
  blockMs?: number;
}

/**
 * One entry handed to one consumer. It stays pending, owned by that consumer, until
 * acked; if it sits unacked for the queue's `minIdleMs`, another consumer may claim it.
 */
export interface TaskDelivery {
  /** The queue's id for the entry (the same across redeliveries). */
  readonly id: string;
  readonly entry: QueueEntry;
  /** The consumer that holds it now. */
  readonly consumer: string;
  /** 1 on first delivery, more when it was claimed again from a consumer that went idle. */
  readonly deliveryCount: number;
  /**
   * Marks the entry done: it is never delivered again. True if this call removed it,
   * false if it was already acked (acking twice is harmless).
   */
  ack(): Promise<boolean>;
  /**
   * Says this consumer is still working: resets the entry's idle time so nobody claims it.
   * False if the entry is no longer this consumer's (acked, or claimed by another after
   * it went idle) — the consumer should then stop caring about it.
   */
  heartbeat(): Promise<boolean>;
}

/**
 * The queue of tasks waiting to run, shared by every daemon that consumes it: in memory
 * for one daemon, a Redis Streams consumer group (`@cca/core/redis`) for several.
 *
 * Delivery is **at least once**. An entry is delivered to one consumer at a time and
 * stays pending until acked. A consumer that dies (or stalls longer than `minIdleMs`
 * without a heartbeat) has its pending entries claimed by the next consumer that asks,
 * so no accepted task is lost; the price is that a task may be delivered again after
 * it ran, in part or in full. So a consumer must:
 *
 * 1. on each delivery, read the task's stored state first, and if it is already finished
 *    or cancelled, ack and skip it (with `deliveryCount > 1`, a run may have been cut
 *    short: resume or restart it);
 * 2. call `heartbeat()` more often than `minIdleMs` while the task runs;
 * 3. write the task's final state, then `ack()` — in that order, so a crash between the
 *    two leads to a redelivery that step 1 recognises, never to a second complete run.
 *
 * An acked entry is never delivered again. Entries come out by priority
 * (`QUEUE_PRIORITY_ORDER`), first in first out within one priority; an entry reclaimed
 * from a dead consumer goes ahead of new entries of its priority.
 *
 * @example
 * const delivery = await queue.claimNext("daemon-a", { blockMs: 5_000 });
 * if (delivery) {
 *   const task = store.get(delivery.entry.taskId);
 *   if (!isTerminalStatus(task.status)) await run(task, () => delivery.heartbeat());
 *   await delivery.ack();
 * }
 */
export interface TaskQueue {
  /** Appends an entry behind the others of its priority; resolves with its id. */
  enqueue(entry: QueueEntry): Promise<string>;
  /**
   * Hands `consumer` the next entry — an idle one from a dead consumer first, else a new
   * one — by priority; undefined if none came within `blockMs`. A consumer name
   * identifies one daemon and must stay unique among the live consumers.
   */
  claimNext(consumer: string, options?: ClaimOptions): Promise<TaskDelivery | undefined>;
  /** Stops waiting claims (they resolve undefined) and releases connections. */
  close(): Promise<void>;
}

/** Options every TaskQueue implementation takes. */
export interface TaskQueueOptions {
  /** How long a delivery may sit unacked without a heartbeat before another consumer may claim it. Default 30 s. */
  minIdleMs?: number;
}

/** The idle time after which an unacked delivery may be claimed by another consumer, when none is given. */
export const DEFAULT_MIN_IDLE_MS = 30_000;
