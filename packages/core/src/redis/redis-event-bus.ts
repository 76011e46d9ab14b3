import type { Redis } from "ioredis";
import { DeadlineExceeded, withDeadline } from "../deadline.js";
import type { EventBus, EventHandler } from "../event-bus.js";
import { type Logger, noopLogger } from "../logger.js";
import {
  connectRedis,
  duplicateRedis,
  helperConnectionName,
  quitRedis,
  type RedisConnectOptions,
} from "./connect.js";

/** Options for a RedisEventBus on a connection the caller owns. */
export interface RedisEventBusOptions {
  /** Used to publish. Subscriptions get a connection of their own, which the bus opens and closes. */
  redis: Redis;
  /** Whether `close()` also quits `redis`; default false (the caller owns it). */
  closeRedis?: boolean;
  /** Put before every channel name on the wire; default `cca:`. */
  prefix?: string;
  /** Hears handlers that throw and messages that are not JSON; delivery to the others goes on. */
  onHandlerError?: (error: unknown, channel: string) => void;
  /**
   * How long `publish` waits for Redis before it rejects, in ms; default 5000. While
   * Redis is down, ioredis would otherwise hold each message until its retries run out.
   */
  publishTimeoutMs?: number;
  /** Hears connection errors (when `redis` has no listener of its own) and failed unsubscribes. */
  logger?: Logger;
}

const DEFAULT_PUBLISH_TIMEOUT_MS = 5_000;

/**
 * The EventBus across daemons, on Redis pub/sub: channel `c` is the Redis channel
 * `<prefix>c`, messages travel as JSON and arrive parsed (a copy, not the object
 * published), asynchronously, in publish order per publisher. Like all Redis pub/sub,
 * delivery is at most once: a daemon that is disconnected when a message is published
 * misses it, so state that must survive lives in a StateStore or the task queue.
 * While Redis is unreachable, `publish` rejects within `publishTimeoutMs` and the
 * message is dropped; the caller decides whether that matters.
 *
 * @example
 * const bus = await RedisEventBus.fromUrl("redis://127.0.0.1:6379");
 * await bus.subscribe("task.updated", (task) => …);
 * await bus.publish("task.updated", task);
 */
export class RedisEventBus implements EventBus {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #prefix: string;
  readonly #onHandlerError: (error: unknown, channel: string) => void;
  readonly #logger: Logger;
  readonly #publishTimeoutMs: number;
  readonly #subscriptions = new Map<string, { handlers: Set<EventHandler>; ready: Promise<void> }>();
  #subscriber: Promise<Redis> | undefined;
  #closed = false;

  /** A bus on its own connections, which `close()` quits. */
  static async fromUrl(
    url: string,
    options: Omit<RedisEventBusOptions, "redis"> & RedisConnectOptions = {},
  ): Promise<RedisEventBus> {
    const redis = await connectRedis(url, { connectionName: "cca:bus", ...options });
    return new RedisEventBus({ ...options, redis, closeRedis: true });
  }

  constructor(options: RedisEventBusOptions) {
    this.#redis = options.redis;
    this.#ownsRedis = options.closeRedis ?? false;
    this.#prefix = options.prefix ?? "cca:";
    this.#onHandlerError = options.onHandlerError ?? (() => {});
    this.#logger = options.logger ?? noopLogger;
    this.#publishTimeoutMs = options.publishTimeoutMs ?? DEFAULT_PUBLISH_TIMEOUT_MS;
    // Without a listener, ioredis prints each connection error to the console.
    if (this.#redis.listenerCount("error") === 0) {
      this.#redis.on("error", (error: unknown) => this.#logger.warn("redis bus connection error", { error }));
    }
  }

  async publish(channel: string, message: unknown): Promise<void> {
    const text = JSON.stringify(message);
    if (text === undefined) {
      throw new TypeError(`Cannot publish ${typeof message} on "${channel}": messages must be JSON`);
    }
    const failed = (reason: string, cause?: unknown) =>
      new Error(
        `Could not publish on "${channel}": ${reason}. The message is dropped; check that Redis is up ` +
          "(the bus delivers at most once, so subscribers miss it).",
        { cause },
      );
    const sent = this.#redis.publish(this.#prefix + channel, text);
    try {
      await withDeadline(sent, this.#publishTimeoutMs);
    } catch (error) {
      if (error instanceof DeadlineExceeded) {
        const status = this.#redis.status;
        throw failed(`Redis did not answer within ${this.#publishTimeoutMs} ms (connection ${status})`);
      }
      throw failed(error instanceof Error ? error.message : String(error), error);
    }
  }

  async subscribe<T = unknown>(channel: string, handler: EventHandler<T>): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error(`Cannot subscribe to "${channel}": this RedisEventBus is closed`);
    const subscriber = await this.#openSubscriber();
    // Commands on one connection run in order, so SUBSCRIBE/UNSUBSCRIBE follow the handler sets.
    let subscription = this.#subscriptions.get(channel);
    if (!subscription) {
      const created = { handlers: new Set<EventHandler>(), ready: Promise.resolve() };
      created.ready = subscriber.subscribe(this.#prefix + channel).then(
        () => undefined,
        (error: unknown) => {
          if (this.#subscriptions.get(channel) === created) this.#subscriptions.delete(channel);
          throw new Error(`Could not subscribe to "${channel}" on Redis`, { cause: error });
        },
      );
      this.#subscriptions.set(channel, created);
      subscription = created;
    }
    const { handlers, ready } = subscription;
    handlers.add(handler as EventHandler);
    await ready;
    return async () => {
      if (!handlers.delete(handler as EventHandler) || handlers.size > 0) return;
      if (this.#subscriptions.get(channel)?.handlers === handlers) this.#subscriptions.delete(channel);
      if (subscriber.status !== "ready") return;
      // Ending a subscription never fails the caller: a channel left subscribed only brings
      // messages that #deliver drops, since no handler is left.
      await subscriber.unsubscribe(this.#prefix + channel).catch((error: unknown) => {
        this.#logger.warn("could not unsubscribe from a Redis channel; its messages are ignored", {
          channel,
          error,
        });
      });
    };
  }

  /** Ends every subscription and quits the subscriber connection (and `redis` if `closeRedis`). */
  async close(): Promise<void> {
    this.#closed = true;
    this.#subscriptions.clear();
    const subscriber = await this.#subscriber?.catch(() => undefined);
    this.#subscriber = undefined;
    if (subscriber) await quitRedis(subscriber);
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }

  #openSubscriber(): Promise<Redis> {
    this.#subscriber ??= duplicateRedis(this.#redis, {
      connectionName: helperConnectionName(this.#redis, "bus-subscriber"),
      logger: this.#logger,
    }).then(
      (subscriber) => {
        subscriber.on("message", (wireChannel: string, text: string) => this.#deliver(wireChannel, text));
        return subscriber;
      },
      (error: unknown) => {
        this.#subscriber = undefined;
        throw error;
      },
    );
    return this.#subscriber;
  }

  #deliver(wireChannel: string, text: string): void {
    if (!wireChannel.startsWith(this.#prefix)) return;
    const channel = wireChannel.slice(this.#prefix.length);
    const handlers = this.#subscriptions.get(channel)?.handlers;
    if (!handlers || handlers.size === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.#onHandlerError(new Error(`A message on "${channel}" is not JSON`, { cause: error }), channel);
      return;
    }
    for (const handler of [...handlers]) {
      try {
        handler(message);
      } catch (error) {
        this.#onHandlerError(error, channel);
      }
    }
  }
}
