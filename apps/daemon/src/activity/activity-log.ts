import {
  type ActivityEvent,
  type ActivityKind,
  type Clock,
  type EventBus,
  isoTime,
  systemClock,
} from "@cca/core";

/** The bus channel every activity event is published on. */
export const ACTIVITY_CHANNEL = "cca:activity";

/** Numbers events, keeps the most recent ones for late readers, and publishes each on the bus. */
export class ActivityLog {
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #events: ActivityEvent[] = [];
  #seq = 0;

  constructor(options: { bus: EventBus; clock?: Clock; capacity?: number }) {
    this.#bus = options.bus;
    this.#clock = options.clock ?? systemClock;
    this.#capacity = options.capacity ?? 1000;
  }

  record(
    kind: ActivityKind,
    fields: { agent_id?: string | null; task_id?: string | null; summary: string },
  ): ActivityEvent {
    const event: ActivityEvent = {
      seq: ++this.#seq,
      at: isoTime(this.#clock),
      kind,
      agent_id: fields.agent_id ?? null,
      task_id: fields.task_id ?? null,
      summary: fields.summary,
    };
    this.#events.push(event);
    if (this.#events.length > this.#capacity) this.#events.shift();
    void this.#bus.publish(ACTIVITY_CHANNEL, event);
    return event;
  }

  /** The last `limit` events, oldest first. */
  recent(limit: number): ActivityEvent[] {
    return this.#events.slice(-limit);
  }

  /** Events after `seq` still held, oldest first. */
  since(seq: number): ActivityEvent[] {
    return this.#events.filter((event) => event.seq > seq);
  }
}
