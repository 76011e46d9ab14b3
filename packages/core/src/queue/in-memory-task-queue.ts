import { type Clock, systemClock } from "../clock.js";
import type { TaskPriority } from "../domain/schemas.js";
import {
  type ClaimOptions,
  DEFAULT_MIN_IDLE_MS,
  QUEUE_PRIORITY_ORDER,
  type QueueEntry,
  type TaskDelivery,
  type TaskQueue,
  type TaskQueueOptions,
} from "./task-queue.js";
import { WakeSignal } from "./wake-signal.js";

interface Stored {
  id: string;
  sequence: number;
  entry: QueueEntry;
}

interface Pending {
  stored: Stored;
  consumer: string;
  deliveredAt: number;
  deliveryCount: number;
}

/**
 * The in-process TaskQueue, with the same delivery rules as the Redis one: consumers
 * sharing one instance behave like daemons sharing one Redis queue. Idle time is read
 * from the injected clock; `blockMs` waits are real time.
 */
export class InMemoryTaskQueue implements TaskQueue {
  readonly #clock: Clock;
  readonly #minIdleMs: number;
  readonly #waiting = new Map<TaskPriority, Stored[]>(QUEUE_PRIORITY_ORDER.map((priority) => [priority, []]));
  readonly #pending = new Map<string, Pending>();
  readonly #wake = new WakeSignal();
  #sequence = 0;
  #closed = false;

  constructor(options: TaskQueueOptions & { clock?: Clock } = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#minIdleMs = options.minIdleMs ?? DEFAULT_MIN_IDLE_MS;
  }

  async enqueue(entry: QueueEntry): Promise<string> {
    const waiting = this.#waiting.get(entry.priority);
    if (!waiting) {
      throw new RangeError(
        `Unknown priority "${entry.priority}" for task ${entry.taskId}; known: ${QUEUE_PRIORITY_ORDER.join(", ")}`,
      );
    }
    const sequence = ++this.#sequence;
    const copy: QueueEntry = { taskId: entry.taskId, priority: entry.priority };
    if (entry.payload !== undefined) copy.payload = JSON.parse(JSON.stringify(entry.payload));
    const stored = { id: `${sequence}-0`, sequence, entry: copy };
    waiting.push(stored);
    this.#wake.wakeAll();
    return stored.id;
  }

  async claimNext(consumer: string, options: ClaimOptions = {}): Promise<TaskDelivery | undefined> {
    const deadline = Date.now() + (options.blockMs ?? 0);
    for (;;) {
      if (this.#closed) return undefined;
      const delivery = this.#claim(consumer);
      if (delivery) return delivery;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      // Also wake after minIdleMs: by then another consumer's delivery may be claimable.
      await this.#wake.sleep(Math.min(remaining, this.#minIdleMs));
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake.wakeAll();
  }

  #claim(consumer: string): TaskDelivery | undefined {
    const now = this.#clock.now();
    for (const priority of QUEUE_PRIORITY_ORDER) {
      const idle = [...this.#pending.values()]
        .filter(
          (pending) =>
            pending.stored.entry.priority === priority && now - pending.deliveredAt >= this.#minIdleMs,
        )
        .sort((a, b) => a.stored.sequence - b.stored.sequence)[0];
      if (idle) {
        idle.consumer = consumer;
        idle.deliveredAt = now;
        idle.deliveryCount += 1;
        return this.#delivery(idle);
      }
      const stored = this.#waiting.get(priority)?.shift();
      if (stored) {
        const pending = { stored, consumer, deliveredAt: now, deliveryCount: 1 };
        this.#pending.set(stored.id, pending);
        return this.#delivery(pending);
      }
    }
    return undefined;
  }

  #delivery(pending: Pending): TaskDelivery {
    const { id, entry } = pending.stored;
    const consumer = pending.consumer;
    return {
      id,
      entry: structuredClone(entry),
      consumer,
      deliveryCount: pending.deliveryCount,
      ack: async () => this.#pending.delete(id),
      heartbeat: async () => {
        const current = this.#pending.get(id);
        if (current?.consumer !== consumer) return false;
        current.deliveredAt = this.#clock.now();
        return true;
      },
    };
  }
}
