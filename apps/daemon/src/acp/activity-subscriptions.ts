import { ErrorCodes, RpcError } from "@cca/acp";
import { type ActivityEvent, type EventBus, type Logger, subscribeTo } from "@cca/core";
import { ActivityChannel } from "../bus-channels.js";

/** How many distinct `events/subscribe` subscriptions a connection may hold unless told otherwise. */
export const DEFAULT_MAX_SUBSCRIPTIONS = 32;

/** What `events/subscribe` without a task id follows: everything. */
const EVERYTHING = "*";

/** Options of a connection's activity subscriptions. */
export interface ActivitySubscriptionsOptions {
  bus: EventBus;
  /** The most distinct subscriptions (`acp.max_subscriptions`). */
  max: number;
  /** The parent of a task, null for a root; throws for a task it does not know. */
  parentOf(taskId: string): string | null;
  /** Sends one event to the connection. */
  send(event: ActivityEvent): void;
  logger: Logger;
}

/**
 * One connection's `events/subscribe` subscriptions: to everything, or to a task's tree.
 * However many it holds, it listens on the bus once and sends each event once, so
 * subscribing again (or to overlapping trees) never repeats a notification; and it holds
 * at most `max` distinct ones, refusing more with a JSON-RPC error that names the limit.
 */
export class ActivitySubscriptions {
  readonly #options: ActivitySubscriptionsOptions;
  /** Task ids whose trees are followed, and EVERYTHING. */
  readonly #followed = new Set<string>();
  #listening: Promise<() => Promise<void>> | null = null;

  constructor(options: ActivitySubscriptionsOptions) {
    this.#options = options;
  }

  /** How many distinct subscriptions are held. */
  get size(): number {
    return this.#followed.size;
  }

  /** Follows `taskId`'s tree, or everything when it is undefined; nothing new if already followed. */
  async add(taskId: string | undefined): Promise<void> {
    const key = taskId ?? EVERYTHING;
    if (!this.#followed.has(key)) {
      const { max } = this.#options;
      if (this.#followed.size >= max) {
        throw new RpcError(
          ErrorCodes.ApplicationError,
          `This connection already holds ${max} activity subscriptions, the most acp.max_subscriptions allows; subscribe to everything (events/subscribe without task_id) or raise acp.max_subscriptions`,
          { data: { code: "bad_request", max_subscriptions: max } },
        );
      }
      this.#followed.add(key);
    }
    try {
      await this.#listen();
    } catch (error) {
      this.#followed.delete(key);
      throw error;
    }
  }

  /** Stops listening; never rejects. */
  async close(): Promise<void> {
    this.#followed.clear();
    const listening = this.#listening;
    this.#listening = null;
    const unsubscribe = await listening?.catch(() => null);
    await unsubscribe?.().catch((error: unknown) => {
      this.#options.logger.debug("could not end an activity subscription", { error });
    });
  }

  #listen(): Promise<() => Promise<void>> {
    if (!this.#listening) {
      const listening = subscribeTo(
        this.#options.bus,
        ActivityChannel,
        (event) => this.#deliver(event),
        (problem) => this.#options.logger.warn("dropped a bus message", { problem }),
      );
      this.#listening = listening;
      // A failed subscription is reported to the add() that awaits it; the next add() tries again.
      listening.catch(() => {
        if (this.#listening === listening) this.#listening = null;
      });
    }
    return this.#listening;
  }

  #deliver(event: ActivityEvent): void {
    try {
      if (this.#follows(event.task_id)) this.#options.send(event);
    } catch (error) {
      this.#options.logger.debug("could not relay activity", { error });
    }
  }

  #follows(taskId: string | null): boolean {
    if (this.#followed.has(EVERYTHING)) return true;
    for (let id = taskId; id; id = this.#options.parentOf(id)) if (this.#followed.has(id)) return true;
    return false;
  }
}
