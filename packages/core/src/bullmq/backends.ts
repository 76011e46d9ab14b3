import {
  createPostgresBackend,
  type IQueueBackend,
  type JobProgress,
  type JobsOptions,
  type PgPool,
  type PostgresPoolConfig,
  type Processor,
  Queue,
  Worker,
  type WorkerOptions,
  withBackend,
} from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "../logger.js";
import { redactRedisUrl } from "../redis/connect.js";
import type { RunOutcome } from "../scheduler/task-scheduler.js";
import { reasonOf, ServiceDown } from "./failures.js";

/** What a job carries: only the task's id (the task itself lives in the repository). */
export interface TaskJobData {
  taskId: string;
}

/** Every job on the queue has this name. */
export const TASK_JOB_NAME = "task";

export type TaskProcessor = Processor<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>;

/** The worker options that do not depend on the backend. */
export type CommonWorkerOptions = Omit<WorkerOptions, "connection" | "prefix">;

/** The BullMQ producer side, the same for both backends. */
export interface ProducerQueue {
  /**
   * Resolves once connected (and, on PostgreSQL, the schema is in place). Rejects with
   * ServiceDown while the service does not answer (the queue keeps trying), with anything
   * else if the queue cannot start at all (a new one is needed).
   */
  ready(): Promise<void>;
  /** How a child job names this queue as its parent's (`parent.queue`). */
  readonly qualifiedName: string;
  add(taskId: string, options: JobsOptions): Promise<void>;
  /** The job's state ("waiting", "active", …), or "unknown" when the queue has no such job. */
  state(taskId: string): Promise<string>;
  /** At most this many of the queue's jobs run at once, across every worker. */
  setGlobalConcurrency(limit: number): Promise<void>;
  /** True if the job was taken out (it existed and no live worker held its lock). */
  remove(taskId: string): Promise<boolean>;
  /** Resolves if the backing service answers a trivial request now. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The BullMQ consumer side, the same for both backends. */
export interface ConsumerWorker {
  ready(): Promise<void>;
  /** Processes jobs until closed. */
  run(): Promise<void>;
  /** Waits for the job in progress, then closes the worker's connections. */
  close(): Promise<void>;
  /** Drops the connections at once, for when `close` hangs; the worker is unusable after. */
  drop(): void;
}

/** What the scheduler wants to hear from a worker. */
export interface WorkerListeners {
  onError(error: Error): void;
  onStalled(jobId: string): void;
  onLockRenewalFailed(jobIds: string[]): void;
}

/** One backing service (Redis or PostgreSQL) and how to open BullMQ queues and workers on it. */
export interface BullmqBackend {
  readonly kind: "bullmq-redis" | "bullmq-postgres";
  readonly dependency: "redis" | "postgres";
  /** For messages. */
  readonly serviceName: "Redis" | "PostgreSQL";
  /** The URL with any password hidden, for messages and logs. */
  readonly shownUrl: string;
  openQueue(queueName: string, onError: (error: Error) => void): ProducerQueue;
  openWorker(
    queueName: string,
    processor: TaskProcessor,
    options: CommonWorkerOptions,
    listeners: WorkerListeners,
  ): ConsumerWorker;
}

/** How long one connection attempt may take. */
export interface BackendTimeouts {
  connectTimeoutMs: number;
}

/**
 * BullMQ on Redis. The producer has its own connection, on which a command fails at once
 * while Redis is not connected, so `enqueue` fails fast while Redis is down; the worker's
 * connections (opened by BullMQ) wait for Redis indefinitely (`maxRetriesPerRequest:
 * null`, which BullMQ requires), so the worker resumes by itself when Redis comes back.
 * Both reconnect every 0.25–2 s.
 */
export function redisBackend(url: string, prefix: string, timeouts: BackendTimeouts): BullmqBackend {
  const reconnect = (attempt: number) => Math.min(attempt * 250, 2_000);
  return {
    kind: "bullmq-redis",
    dependency: "redis",
    serviceName: "Redis",
    shownUrl: redactRedisUrl(url),
    openQueue(queueName, onError) {
      const redis = new Redis(url, {
        connectionName: `cca:${queueName}:producer`,
        connectTimeout: timeouts.connectTimeoutMs,
        // While disconnected a command fails at once instead of waiting in a queue, so an
        // enqueue that was refused never takes effect later.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: reconnect,
      });
      let lastError: Error | undefined;
      redis.on("error", (error: Error) => {
        lastError = error;
        onError(error);
      });
      redis.on("ready", () => {
        lastError = undefined;
      });
      /** Rejects with ServiceDown as soon as a connection attempt fails, rather than waiting for one to work. */
      const connected = () =>
        new Promise<void>((resolve, reject) => {
          if (redis.status === "ready") return resolve();
          if (lastError) return reject(new ServiceDown(lastError));
          const onReady = () => {
            redis.off("error", onFailure);
            resolve();
          };
          const onFailure = (error: Error) => {
            redis.off("ready", onReady);
            reject(new ServiceDown(error));
          };
          redis.once("ready", onReady);
          redis.once("error", onFailure);
        });
      // skipVersionCheck: BullMQ's INFO at start-up would, if Redis dropped just then,
      // leave this queue failed for good; with the check skipped its start cannot fail.
      const queue = new Queue<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>(queueName, {
        connection: redis,
        prefix,
        skipVersionCheck: true,
      });
      queue.on("error", onError);
      return wrapQueue(queue, {
        ready: async () => {
          await connected();
          await queue.waitUntilReady();
        },
        ping: async () => {
          await redis.ping();
        },
        close: async () => {
          await queue.close();
          if (redis.status === "ready") await redis.quit().catch(() => redis.disconnect());
          else redis.disconnect();
        },
      });
    },
    openWorker(queueName, processor, options, listeners) {
      const worker = new Worker<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>(queueName, processor, {
        ...options,
        prefix,
        connection: {
          url,
          connectionName: `cca:${queueName}:worker`,
          connectTimeout: timeouts.connectTimeoutMs,
          maxRetriesPerRequest: null,
          retryStrategy: reconnect,
        },
      });
      return wrapWorker(worker, listeners, () => {
        // BullMQ's own close and disconnect wait for Redis when it went away after
        // connecting (QUIT stays queued); dropping the raw clients does not.
        const backend = worker.getBackend();
        for (const client of [backend.client, backend.blockingClient]) {
          client?.then(
            (connected) => connected.disconnect(),
            () => {},
          );
        }
      });
    },
  };
}

/**
 * BullMQ on PostgreSQL (BullMQ's own PostgreSQL backend): the queue lives in schema
 * `schema`, created and migrated on first connect. BullMQ remembers a failed first connect
 * for the life of a queue or worker, so the scheduler replaces one whose `ready()` rejected.
 * `logger` hears (at debug) each connection that fails; what that breaks is reported
 * through `onError` and the failed requests.
 */
export function postgresBackend(
  url: string,
  schema: string,
  timeouts: BackendTimeouts,
  logger: Logger,
): BullmqBackend {
  const connection = (queueName: string, role: string, max: number): PostgresPoolConfig => ({
    connectionString: url,
    schema,
    migrate: true,
    max,
    application_name: `cca:${queueName}:${role}`,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    keepAlive: true,
  });
  const onPostgres = withBackend(createPostgresBackend);
  return {
    kind: "bullmq-postgres",
    dependency: "postgres",
    serviceName: "PostgreSQL",
    shownUrl: redactRedisUrl(url),
    openQueue(queueName, onError) {
      const queue = new onPostgres.Queue<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>(queueName, {
        connection: connection(queueName, "producer", 2),
      });
      queue.on("error", onError);
      const backend = queue.getBackend();
      listenToEveryClient(backend.connection.pool, logger.child({ queue: queueName, side: "producer" }));
      return wrapQueue(queue, {
        ready: () => queue.waitUntilReady(),
        ping: async () => {
          await queue.waitUntilReady();
          await backend.connection.pool.query("SELECT 1");
        },
        close: () => queue.close(),
      });
    },
    openWorker(queueName, processor, options, listeners) {
      const worker = new onPostgres.Worker<TaskJobData, RunOutcome, typeof TASK_JOB_NAME>(
        queueName,
        processor,
        {
          ...options,
          connection: connection(queueName, "worker", 3),
        },
      );
      listenToEveryClient(
        worker.getBackend().connection.pool,
        logger.child({ queue: queueName, side: "worker" }),
      );
      return wrapWorker(worker, listeners, () => {
        worker.disconnect().catch(() => {});
      });
    },
  };
}

/**
 * node-postgres emits 'error' on a client whose connection is lost (the server restarted,
 * the session was terminated, the network cut), and a pool listens only to the clients it
 * holds idle. BullMQ listens to its pool and to its LISTEN client, but not to the client
 * it checks out to migrate the schema when a queue or worker starts: a connection lost
 * then was an uncaught "Connection terminated unexpectedly". Listening on every client the
 * pool opens closes that gap. The failure also reaches the request that was running (so
 * `ready()` rejects), and the pool drops the dead client when it is released.
 */
function listenToEveryClient(pool: PgPool, logger: Logger): void {
  pool.on("connect", (client) =>
    client.on("error", (error) =>
      logger.debug("a PostgreSQL connection of the task queue failed", { error: reasonOf(error) }),
    ),
  );
}

function wrapQueue<B extends IQueueBackend, C>(
  queue: Queue<
    TaskJobData,
    RunOutcome,
    typeof TASK_JOB_NAME,
    TaskJobData,
    RunOutcome,
    typeof TASK_JOB_NAME,
    B,
    C
  >,
  connection: Pick<ProducerQueue, "ready" | "ping" | "close">,
): ProducerQueue {
  return {
    ...connection,
    qualifiedName: queue.qualifiedName,
    add: async (taskId, options) => {
      await queue.add(TASK_JOB_NAME, { taskId }, { ...options, jobId: taskId });
    },
    state: (taskId) => queue.getJobState(taskId),
    setGlobalConcurrency: async (limit) => {
      await queue.setGlobalConcurrency(limit);
    },
    remove: async (taskId) => {
      // On Redis, BullMQ's remove answers 1 for an id it does not know.
      if ((await queue.getJobState(taskId)) === "unknown") return false;
      return (await queue.remove(taskId)) === 1;
    },
  };
}

function wrapWorker<B extends IQueueBackend, C>(
  worker: Worker<TaskJobData, RunOutcome, typeof TASK_JOB_NAME, B, JobProgress, C>,
  listeners: WorkerListeners,
  drop: () => void,
): ConsumerWorker {
  worker.on("error", listeners.onError);
  worker.on("stalled", listeners.onStalled);
  worker.on("lockRenewalFailed", listeners.onLockRenewalFailed);
  return {
    ready: () => worker.waitUntilReady(),
    run: () => worker.run(),
    close: () => worker.close(),
    drop,
  };
}
