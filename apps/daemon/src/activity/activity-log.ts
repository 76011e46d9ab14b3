import {
  type ActivityEvent,
  type ActivityKind,
  type Clock,
  type EventBus,
  isoTime,
  type Logger,
  noopLogger,
  publishOn,
  systemClock,
} from "@cca/core";
import { ActivityChannel } from "../bus-channels.js";

/** The bus channel every activity event is published on. */
export const ACTIVITY_CHANNEL = ActivityChannel.name;

/** Options of an ActivityLog. */
export interface ActivityLogOptions {
  bus: EventBus;
  clock?: Clock;
  /** How many recent events it keeps for late readers; default 1000. */
  capacity?: number;
  /** Hears events that could not be published, at most once per `failureLogIntervalMs`. */
  logger?: Logger;
  /** The least time between two reports of failed publishes, in ms; default 60 000. */
  failureLogIntervalMs?: number;
}

/**
 * Numbers events, keeps the most recent ones for late readers, and publishes each on the
 * bus. A publish that fails (Redis down) never fails `record`: the event stays here, and
 * the failures are logged, the first at once and then one summary per interval.
 */
export class ActivityLog {
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #failures: PublishFailures;
  readonly #events: ActivityEvent[] = [];
  #seq = 0;

  constructor(options: ActivityLogOptions) {
    this.#bus = options.bus;
    this.#clock = options.clock ?? systemClock;
    this.#capacity = options.capacity ?? 1000;
    this.#failures = new PublishFailures(
      options.logger ?? noopLogger,
      this.#clock,
      options.failureLogIntervalMs ?? 60_000,
    );
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
    this.#publish(event);
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

  #publish(event: ActivityEvent): void {
    let sent: Promise<void>;
    try {
      sent = publishOn(this.#bus, ActivityChannel, event);
    } catch (error) {
      this.#failures.failed(event, error);
      return;
    }
    sent.then(
      () => this.#failures.succeeded(),
      (error: unknown) => this.#failures.failed(event, error),
    );
  }
}

/**
 * Counts failed publishes and logs them boundedly: at most one line per interval, so the
 * first failure after a quiet spell is logged at once and a long outage (or a flapping
 * bus) adds one summary per interval, not one line per event.
 */
class PublishFailures {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #intervalMs: number;
  /** Failures not yet counted in a log line. */
  #unreported = 0;
  #failing = false;
  #lastLogAt = Number.NEGATIVE_INFINITY;

  constructor(logger: Logger, clock: Clock, intervalMs: number) {
    this.#logger = logger;
    this.#clock = clock;
    this.#intervalMs = intervalMs;
  }

  failed(event: ActivityEvent, error: unknown): void {
    this.#failing = true;
    this.#unreported += 1;
    if (!this.#mayLog()) return;
    this.#logger.warn(
      "could not publish activity on the event bus; the events are kept here (GET /api/v1/activity) but other daemons and bus subscribers miss them. Check the bus (Redis).",
      {
        failed_since_last_report: this.#unreported,
        last_seq: event.seq,
        error: error instanceof Error ? error.message : String(error),
      },
    );
    this.#unreported = 0;
  }

  succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    if (!this.#mayLog()) return;
    this.#logger.info("publishing activity on the event bus works again", {
      failed_since_last_report: this.#unreported,
    });
    this.#unreported = 0;
  }

  #mayLog(): boolean {
    const now = this.#clock.now();
    if (now - this.#lastLogAt < this.#intervalMs) return false;
    this.#lastLogAt = now;
    return true;
  }
}
