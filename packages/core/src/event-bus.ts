/** Called for each message published on a channel the handler subscribed to. */
export type EventHandler<T = unknown> = (message: T) => void;

/**
 * Publish/subscribe between parts of one daemon (in memory) or of several daemons
 * (`RedisEventBus` in `@cca/core/redis`). Messages must be JSON; across daemons each
 * subscriber gets a parsed copy, asynchronously, in publish order per publisher.
 */
export interface EventBus {
  /** Sends `message` to every current subscriber of `channel`. */
  publish(channel: string, message: unknown): Promise<void>;
  /** Resolves once the subscription is in place; returns a function that ends it. */
  subscribe<T = unknown>(channel: string, handler: EventHandler<T>): Promise<() => Promise<void>>;
  /** Ends every subscription and releases connections; the bus is not used afterwards. */
  close(): Promise<void>;
}

/**
 * The in-process EventBus: delivery is synchronous and in publish order. A handler that
 * throws is reported through `onHandlerError` and does not stop delivery to the others.
 */
export class InMemoryEventBus implements EventBus {
  readonly #handlers = new Map<string, Set<EventHandler>>();
  readonly #onHandlerError: (error: unknown, channel: string) => void;

  constructor(options: { onHandlerError?: (error: unknown, channel: string) => void } = {}) {
    this.#onHandlerError = options.onHandlerError ?? (() => {});
  }

  async publish(channel: string, message: unknown): Promise<void> {
    for (const handler of this.#handlers.get(channel) ?? []) {
      try {
        handler(message);
      } catch (error) {
        this.#onHandlerError(error, channel);
      }
    }
  }

  async subscribe<T = unknown>(channel: string, handler: EventHandler<T>): Promise<() => Promise<void>> {
    const handlers = this.#handlers.get(channel) ?? new Set();
    handlers.add(handler as EventHandler);
    this.#handlers.set(channel, handlers);
    return async () => {
      handlers.delete(handler as EventHandler);
      if (handlers.size === 0) this.#handlers.delete(channel);
    };
  }

  async close(): Promise<void> {
    this.#handlers.clear();
  }
}
