import type { Redis } from "ioredis";
import type { TaskPriority } from "../domain/schemas.js";
import { type Logger, noopLogger } from "../logger.js";
import {
  type ClaimOptions,
  DEFAULT_MIN_IDLE_MS,
  QUEUE_PRIORITY_ORDER,
  type QueueEntry,
  type TaskDelivery,
  type TaskQueue,
  type TaskQueueOptions,
} from "../queue/task-queue.js";
import { WakeSignal } from "../queue/wake-signal.js";
import { decodeValue } from "../state/json-value.js";
import {
  connectRedis,
  duplicateRedis,
  helperConnectionName,
  quitRedis,
  type RedisConnectOptions,
} from "./connect.js";
import { luaScript, runLuaScript } from "./lua-script.js";

/** Options for a RedisTaskQueue on a connection the caller owns. */
export interface RedisTaskQueueOptions extends TaskQueueOptions {
  redis: Redis;
  /** Whether `close()` also quits `redis`; default false (the caller owns it). */
  closeRedis?: boolean;
  /** Streams live at `<prefix>tasks:<priority>`; default `cca:`. */
  prefix?: string;
  /** The consumer group every daemon joins; default `ccad`. */
  group?: string;
  logger?: Logger;
}

// KEYS: the streams in priority order. ARGV: group, consumer, minIdleMs.
// Per priority: an entry idle too long under any consumer first, then a new one.
// Returns {stream index, entry id, flat fields, delivery count} or nil.
const CLAIM_NEXT = luaScript(`
local group, consumer, min_idle = ARGV[1], ARGV[2], ARGV[3]
for _, key in ipairs(KEYS) do
  redis.pcall('XGROUP', 'CREATE', key, group, '0', 'MKSTREAM')
end
for index, key in ipairs(KEYS) do
  local cursor = '0-0'
  repeat
    local reply = redis.call('XAUTOCLAIM', key, group, consumer, min_idle, cursor, 'COUNT', 1)
    cursor = reply[1]
    local entry = reply[2][1]
    if entry then
      local pending = redis.call('XPENDING', key, group, entry[1], entry[1], 1)
      return {index, entry[1], entry[2], pending[1][4]}
    end
  until cursor == '0-0'
  local read = redis.call('XREADGROUP', 'GROUP', group, consumer, 'COUNT', 1, 'STREAMS', key, '>')
  if read then
    local entry = read[1][2][1]
    return {index, entry[1], entry[2], 1}
  end
end
return nil
`);

// KEYS: the stream. ARGV: group, consumer, entry id. Resets the idle time only for its owner.
const HEARTBEAT = luaScript(`
local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
if #pending == 0 or pending[1][2] ~= ARGV[2] then return 0 end
redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
return 1
`);

type ClaimReply = [number, string, string[], number] | null;

/**
 * The TaskQueue shared by several daemons, on Redis Streams (Redis 7 or later): one
 * stream per priority (`<prefix>tasks:critical` … `<prefix>tasks:low`) read in priority
 * order by one consumer group; XREADGROUP hands out new entries, XAUTOCLAIM takes over
 * entries left idle longer than `minIdleMs`, XACK plus XDEL retire an entry. Each enqueue
 * also publishes on `<prefix>tasks:enqueued` so blocked claims wake without polling.
 * One Redis server, not Redis Cluster: a claim reads the four streams in one script.
 *
 * @example
 * const queue = await RedisTaskQueue.fromUrl("redis://127.0.0.1:6379", { minIdleMs: 60_000 });
 * await queue.enqueue({ taskId: task.id, priority: task.priority });
 * const delivery = await queue.claimNext("ccad@host-a", { blockMs: 5_000 });
 */
export class RedisTaskQueue implements TaskQueue {
  readonly #redis: Redis;
  readonly #ownsRedis: boolean;
  readonly #streams: string[];
  readonly #wakeChannel: string;
  readonly #group: string;
  readonly #minIdleMs: number;
  readonly #logger: Logger;
  readonly #wake = new WakeSignal();
  #subscriber: Promise<Redis> | undefined;
  #enqueuedSeen = 0;
  #closed = false;

  /** A queue on its own connections, which `close()` quits. */
  static async fromUrl(
    url: string,
    options: Omit<RedisTaskQueueOptions, "redis"> & RedisConnectOptions = {},
  ): Promise<RedisTaskQueue> {
    const redis = await connectRedis(url, { connectionName: "cca:queue", ...options });
    return new RedisTaskQueue({ ...options, redis, closeRedis: true });
  }

  constructor(options: RedisTaskQueueOptions) {
    this.#redis = options.redis;
    this.#ownsRedis = options.closeRedis ?? false;
    const prefix = options.prefix ?? "cca:";
    this.#streams = QUEUE_PRIORITY_ORDER.map((priority) => `${prefix}tasks:${priority}`);
    this.#wakeChannel = `${prefix}tasks:enqueued`;
    this.#group = options.group ?? "ccad";
    this.#minIdleMs = options.minIdleMs ?? DEFAULT_MIN_IDLE_MS;
    this.#logger = options.logger ?? noopLogger;
  }

  async enqueue(entry: QueueEntry): Promise<string> {
    const index = QUEUE_PRIORITY_ORDER.indexOf(entry.priority);
    if (index === -1) {
      throw new RangeError(
        `Unknown priority "${entry.priority}" for task ${entry.taskId}; known: ${QUEUE_PRIORITY_ORDER.join(", ")}`,
      );
    }
    const fields = ["task_id", entry.taskId];
    if (entry.payload !== undefined) fields.push("payload", JSON.stringify(entry.payload));
    const replies = await this.#redis
      .multi()
      .xadd(this.#streams[index]!, "*", ...fields)
      .publish(this.#wakeChannel, entry.priority)
      .exec();
    const [error, id] = replies?.[0] ?? [new Error("the transaction was discarded"), null];
    if (error) throw new Error(`Could not enqueue task ${entry.taskId}: ${error.message}`, { cause: error });
    return id as string;
  }

  async claimNext(consumer: string, options: ClaimOptions = {}): Promise<TaskDelivery | undefined> {
    if (this.#closed) return undefined;
    const blockMs = options.blockMs ?? 0;
    const deadline = Date.now() + blockMs;
    // Listen before the first look, so an enqueue right after it still wakes us.
    if (blockMs > 0) await this.#listen();
    for (;;) {
      if (this.#closed) return undefined;
      const seen = this.#enqueuedSeen;
      const delivery = await this.#claim(consumer);
      if (delivery) return delivery;
      const remaining = deadline - Date.now();
      if (remaining <= 0) return undefined;
      if (this.#enqueuedSeen !== seen) continue;
      // Also wake after minIdleMs: by then another consumer's delivery may be claimable.
      await this.#wake.sleep(Math.min(remaining, this.#minIdleMs));
    }
  }

  /** Wakes waiting claims (they resolve undefined) and quits the connections the queue opened. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake.wakeAll();
    const subscriber = await this.#subscriber?.catch(() => undefined);
    this.#subscriber = undefined;
    if (subscriber) await quitRedis(subscriber);
    if (this.#ownsRedis) await quitRedis(this.#redis);
  }

  async #claim(consumer: string): Promise<TaskDelivery | undefined> {
    const reply = (await runLuaScript(this.#redis, CLAIM_NEXT, this.#streams, [
      this.#group,
      consumer,
      this.#minIdleMs,
    ])) as ClaimReply;
    if (!reply) return undefined;
    const [index, id, flatFields, deliveryCount] = reply;
    const stream = this.#streams[index - 1]!;
    const fields = new Map<string, string>();
    for (let i = 0; i + 1 < flatFields.length; i += 2) fields.set(flatFields[i]!, flatFields[i + 1]!);
    const entry: QueueEntry = {
      taskId: fields.get("task_id") ?? "",
      priority: QUEUE_PRIORITY_ORDER[index - 1] as TaskPriority,
    };
    const payload = fields.get("payload");
    if (payload !== undefined) entry.payload = decodeValue(`${stream} ${id} payload`, payload);
    return {
      id,
      entry,
      consumer,
      deliveryCount,
      ack: async () => {
        const replies = await this.#redis.multi().xack(stream, this.#group, id).xdel(stream, id).exec();
        const [error, acked] = replies?.[0] ?? [new Error("the transaction was discarded"), 0];
        if (error) throw new Error(`Could not ack task ${entry.taskId} (${stream} ${id})`, { cause: error });
        return acked === 1;
      },
      heartbeat: async () =>
        (await runLuaScript(this.#redis, HEARTBEAT, [stream], [this.#group, consumer, id])) === 1,
    };
  }

  #listen(): Promise<Redis> {
    this.#subscriber ??= duplicateRedis(this.#redis, {
      connectionName: helperConnectionName(this.#redis, "queue-subscriber"),
      logger: this.#logger,
    }).then(
      async (subscriber) => {
        subscriber.on("message", () => {
          this.#enqueuedSeen += 1;
          this.#wake.wakeAll();
        });
        await subscriber.subscribe(this.#wakeChannel);
        return subscriber;
      },
      (error: unknown) => {
        this.#subscriber = undefined;
        throw error;
      },
    );
    return this.#subscriber;
  }
}
