import type WebSocket from "ws";
import { createConnection } from "../connection/connection.js";
import type { HeartbeatOptions } from "../connection/heartbeat.js";
import type { Connection, NotificationHandler, RequestHandler, RequestOptions } from "../connection/types.js";
import type { NotificationType, RequestType } from "../descriptors.js";
import { ErrorCodes } from "../jsonrpc/error-codes.js";
import { connectionClosedError, RpcError, wasNeverSent } from "../jsonrpc/rpc-error.js";
import { type AcpLogger, noopAcpLogger } from "../logger.js";
import { backoffDelay, type ReconnectOptions } from "./backoff.js";
import { AcpConnectError } from "./connect-error.js";
import { connectionOptionsFor, maxPayloadFor } from "./defaults.js";
import { openSocket } from "./open-socket.js";
import { createWebSocketTransport } from "./websocket-transport.js";

/**
 * Where a client is: `idle` before `connect()`; `connecting` while an attempt runs;
 * `open` when requests flow; `reconnecting` while it waits to try again after a failed
 * attempt or a lost connection; `closed` for good (by `close()`, or after giving up).
 */
export type AcpClientState = "idle" | "connecting" | "open" | "reconnecting" | "closed";

/** One state change, with what explains it. */
export interface AcpClientStateChange {
  state: AcpClientState;
  /** Failed attempts in a row so far (0 after a success or a fresh drop). */
  failedAttempts: number;
  /** `reconnecting`: how long until the next attempt, in ms. */
  delayMs?: number;
  /** `reconnecting`: why the last attempt failed or the connection was lost; `closed`: why the client gave up. */
  error?: Error;
}

/** Options of an ACP client. */
export interface AcpClientOptions {
  /** `ws://host:port/path` of the server. */
  url: string;
  /** Access token, sent as `Authorization: Bearer` (or as `?token=`, see `tokenIn`). */
  token?: string;
  /** Where the token goes. Default "header". */
  tokenIn?: "header" | "query";
  /** Retry policy; `false` to try once and never reconnect. */
  reconnect?: ReconnectOptions | false;
  /**
   * Called on every new connection (the first and each reconnection) before the client
   * reports `open`: re-send subscribe requests here, through `connection`. If it throws,
   * the attempt counts as failed.
   */
  onConnect?(connection: Connection, info: { reconnected: boolean }): unknown;
  /** Called on every state change. */
  onStateChange?(change: AcpClientStateChange): void;
  /** Default timeout of requests (waiting for a connection included), in ms. Default 30 000. */
  requestTimeoutMs?: number;
  /** Largest frame answered normally, in bytes. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Largest frame the socket accepts at all. Default 4 × maxFrameBytes. */
  maxPayloadBytes?: number;
  /** Most server requests whose handlers may run at once. Default 4096. */
  maxInFlightRequests?: number;
  /** Dead-server detection; `false` to turn it off. Default `{ intervalMs: 15000, maxMissed: 2 }`. */
  heartbeat?: HeartbeatOptions | false;
  /** Opening handshake timeout, in ms. Default 10 000. */
  handshakeTimeoutMs?: number;
  logger?: AcpLogger;
  /** Source of randomness for jitter (tests pass a fixed one). Default Math.random. */
  random?: () => number;
}

/**
 * A client that keeps one ACP connection open, reconnecting with backoff.
 *
 * Requests and notifications made while it is not open wait for the next connection,
 * bounded by their timeout (and signal); they fail at once when the client is closed or
 * has given up. A request already sent when the connection drops rejects with
 * ConnectionClosed and is not re-sent (it may have taken effect).
 */
export interface AcpClient {
  readonly state: AcpClientState;
  /** The open connection, if any. */
  readonly connection: Connection | undefined;
  /** Starts connecting; resolves on the first open, rejects with AcpConnectError when the client gives up. */
  connect(): Promise<void>;
  request<P, R, PIn>(type: RequestType<P, R, PIn>, params: PIn, options?: RequestOptions): Promise<R>;
  notify<P, PIn>(type: NotificationType<P, PIn>, params: PIn, options?: RequestOptions): Promise<void>;
  /** Handles a server request on this and every later connection; returns a function that removes it. */
  onRequest<P, R, PIn>(type: RequestType<P, R, PIn>, handler: RequestHandler<P, R>): () => void;
  /** Handles a server notification on this and every later connection; returns a function that removes it. */
  onNotification<P, PIn>(type: NotificationType<P, PIn>, handler: NotificationHandler<P>): () => void;
  /** Listens to state changes; returns a function that stops listening. */
  onStateChange(listener: (change: AcpClientStateChange) => void): () => void;
  /** Closes the connection and stops reconnecting. */
  close(): Promise<void>;
}

type Registration = (connection: Connection) => () => void;

interface Waiter {
  method: string;
  resolve(connection: Connection): void;
  reject(error: Error): void;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

class ReconnectingAcpClient implements AcpClient {
  readonly #options: AcpClientOptions;
  readonly #logger: AcpLogger;
  readonly #registrations = new Map<Registration, () => void>();
  readonly #listeners = new Set<(change: AcpClientStateChange) => void>();
  readonly #waiters = new Set<Waiter>();
  #state: AcpClientState = "idle";
  #connection: Connection | undefined;
  /** The newest connection, open or still in onConnect: handlers added now go to it too. */
  #current: Connection | undefined;
  #failedAttempts = 0;
  #everOpened = false;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #firstOpen: { promise: Promise<void>; resolve(): void; reject(error: Error): void } | undefined;
  #finalError: Error | undefined;

  constructor(options: AcpClientOptions) {
    this.#options = options;
    this.#logger = options.logger ?? noopAcpLogger;
    if (options.onStateChange) this.#listeners.add(options.onStateChange);
  }

  get state(): AcpClientState {
    return this.#state;
  }

  get connection(): Connection | undefined {
    return this.#connection;
  }

  connect(): Promise<void> {
    if (this.#firstOpen) return this.#firstOpen.promise;
    let resolve = () => {};
    let reject: (error: Error) => void = () => {};
    const promise = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    promise.catch(() => {});
    this.#firstOpen = { promise, resolve, reject };
    if (this.#isClosed()) reject(this.#finalError ?? this.#closedError("the client was closed"));
    else void this.#attempt();
    return promise;
  }

  async request<P, R, PIn>(
    type: RequestType<P, R, PIn>,
    params: PIn,
    options: RequestOptions = {},
  ): Promise<R> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 30_000;
    const startedAt = Date.now();
    for (;;) {
      const connection =
        this.#connection ?? (await this.#waitForOpen(type.method, timeoutMs, options.signal));
      const remainingMs = Number.isFinite(timeoutMs)
        ? Math.max(1, timeoutMs - (Date.now() - startedAt))
        : timeoutMs;
      try {
        return await connection.request(type, params, { ...options, timeoutMs: remainingMs });
      } catch (error) {
        // The link dropped before the request went out: nothing happened, so it waits for the next one.
        if (!wasNeverSent(error) || this.#isClosed()) throw error;
        // Its socket is going: once the connection reports the close, the client reconnects.
        if (!connection.closed) await new Promise<void>((resolve) => connection.onClose(() => resolve()));
        if (Date.now() - startedAt >= timeoutMs) throw error;
      }
    }
  }

  async notify<P, PIn>(
    type: NotificationType<P, PIn>,
    params: PIn,
    options: RequestOptions = {},
  ): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs ?? 30_000;
    const connection = this.#connection ?? (await this.#waitForOpen(type.method, timeoutMs, options.signal));
    return connection.notify(type, params);
  }

  onRequest<P, R, PIn>(type: RequestType<P, R, PIn>, handler: RequestHandler<P, R>): () => void {
    return this.#register((connection) => connection.onRequest(type, handler));
  }

  onNotification<P, PIn>(type: NotificationType<P, PIn>, handler: NotificationHandler<P>): () => void {
    return this.#register((connection) => connection.onNotification(type, handler));
  }

  onStateChange(listener: (change: AcpClientStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.#isClosed()) return;
    clearTimeout(this.#retryTimer);
    const error = this.#closedError("the client was closed");
    this.#finish(error);
    await this.#current?.close("the client was closed");
  }

  // A method, not a property test, so TypeScript does not narrow the state across awaits.
  #isClosed(): boolean {
    return this.#state === "closed";
  }

  #register(registration: Registration): () => void {
    const undo = this.#current && !this.#current.closed ? registration(this.#current) : () => {};
    this.#registrations.set(registration, undo);
    return () => {
      this.#registrations.get(registration)?.();
      this.#registrations.delete(registration);
    };
  }

  #setState(change: AcpClientStateChange): void {
    this.#state = change.state;
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#logger.error("ACP client state listener threw", { error: toError(error).message });
      }
    }
  }

  #closedError(reason: string): AcpConnectError {
    return new AcpConnectError("closed", `ACP client for ${this.#options.url} is closed: ${reason}`, {
      url: this.#options.url,
      attempts: this.#failedAttempts,
    });
  }

  async #attempt(): Promise<void> {
    this.#setState({ state: "connecting", failedAttempts: this.#failedAttempts });
    let connection: Connection | undefined;
    try {
      const options = this.#options;
      const socket = await openSocket({
        url: options.url,
        token: options.token,
        tokenIn: options.tokenIn ?? "header",
        maxPayloadBytes: maxPayloadFor(options),
        handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
        attempt: this.#failedAttempts + 1,
      });
      if (this.#isClosed()) {
        socket.terminate();
        return;
      }
      connection = this.#createConnection(socket);
      await connection.start();
      await this.#options.onConnect?.(connection, { reconnected: this.#everOpened });
      if (connection.closed)
        throw new Error(`the connection closed during onConnect: ${connection.closeInfo?.reason}`);
    } catch (error) {
      if (connection && !connection.closed) await connection.close("onConnect failed").catch(() => {});
      this.#attemptFailed(toError(error));
      return;
    }
    if (this.#isClosed()) {
      await connection.close("the client was closed");
      return;
    }
    this.#connection = connection;
    this.#failedAttempts = 0;
    this.#everOpened = true;
    this.#setState({ state: "open", failedAttempts: 0 });
    this.#firstOpen?.resolve();
    for (const waiter of [...this.#waiters]) waiter.resolve(connection);
  }

  #createConnection(socket: WebSocket): Connection {
    const options = this.#options;
    const connection = createConnection(
      createWebSocketTransport(socket),
      connectionOptionsFor(options, this.#logger),
    );
    this.#current = connection;
    for (const registration of this.#registrations.keys()) {
      this.#registrations.set(registration, registration(connection));
    }
    connection.onClose((info) => {
      if (connection !== this.#connection) return;
      this.#connection = undefined;
      if (this.#isClosed()) return;
      this.#logger.info("ACP connection lost", { url: options.url, reason: info.reason });
      this.#attemptFailed(new Error(`the connection to ${options.url} was lost: ${info.reason}`));
    });
    return connection;
  }

  /** After a failed attempt or a lost connection: retry after a backoff, or give up. */
  #attemptFailed(error: Error): void {
    if (this.#isClosed()) return;
    const { reconnect, url } = this.#options;
    const lost = this.#state === "open";
    if (!lost) this.#failedAttempts += 1;
    const attempts = this.#failedAttempts;
    if (error instanceof AcpConnectError) {
      this.#finish(error);
      return;
    }
    if (reconnect === false || attempts >= (reconnect?.maxAttempts ?? Number.POSITIVE_INFINITY)) {
      const message = lost
        ? `Lost the connection to ${url} and reconnecting is off: ${error.message}`
        : `Could not connect to ${url} after ${attempts} attempt${attempts === 1 ? "" : "s"}; last error: ${error.message}. Is the server running?`;
      this.#finish(new AcpConnectError("gave_up", message, { url, attempts, cause: error }));
      return;
    }
    const delayMs = backoffDelay(Math.max(1, attempts), reconnect ?? {}, this.#options.random);
    this.#setState({ state: "reconnecting", failedAttempts: attempts, delayMs, error });
    this.#retryTimer = setTimeout(() => void this.#attempt(), delayMs);
  }

  /** Enters `closed` for good and fails everything that waits. */
  #finish(error: AcpConnectError): void {
    this.#finalError = error;
    this.#setState({ state: "closed", failedAttempts: this.#failedAttempts, error });
    this.#firstOpen?.reject(error);
    for (const waiter of [...this.#waiters]) {
      waiter.reject(connectionClosedError(waiter.method, error.message));
    }
  }

  #waitForOpen(method: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<Connection> {
    if (this.#isClosed()) {
      return Promise.reject(
        connectionClosedError(method, this.#finalError?.message ?? "the client was closed"),
      );
    }
    if (this.#state === "idle") {
      return Promise.reject(
        connectionClosedError(method, "the client is not connected; call connect() first"),
      );
    }
    if (signal?.aborted) {
      return Promise.reject(
        new RpcError(ErrorCodes.Cancelled, `Request "${method}" was cancelled before it was sent`),
      );
    }
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () =>
        waiter.reject(
          new RpcError(
            ErrorCodes.Cancelled,
            `Request "${method}" was cancelled while waiting for a connection`,
            {
              data: { method },
              cause: signal?.reason,
            },
          ),
        );
      const done = () => {
        this.#waiters.delete(waiter);
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      const waiter: Waiter = {
        method,
        resolve: (connection) => {
          done();
          resolve(connection);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const message = `Request "${method}" waited ${timeoutMs} ms for a connection to ${this.#options.url}, in vain (client ${this.#state})`;
          waiter.reject(new RpcError(ErrorCodes.Timeout, message, { data: { method, timeoutMs } }));
        }, timeoutMs);
      }
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }
}

/**
 * Creates an ACP client without connecting: register handlers, then `connect()`.
 * @example
 * const client = createAcpClient({ url, token, onConnect: (c) => c.request(Subscribe, { topic: "tasks" }) });
 * client.onNotification(TaskProgress, (progress) => render(progress));
 * await client.connect();
 */
export function createAcpClient(options: AcpClientOptions): AcpClient {
  return new ReconnectingAcpClient(options);
}

/**
 * Creates an ACP client and waits for its first connection. Rejects with an
 * AcpConnectError when the token is refused or the client gives up.
 * @example
 * const client = await connectAcpClient({
 *   url: "ws://127.0.0.1:9200/acp",
 *   token,
 *   reconnect: { initialDelayMs: 250, maxDelayMs: 10_000, maxAttempts: 20, jitter: 0.5 },
 *   async onConnect(connection) {
 *     connection.onNotification(TaskProgress, render);
 *     await connection.request(Subscribe, { topic: "tasks" });
 *   },
 * });
 */
export async function connectAcpClient(options: AcpClientOptions): Promise<AcpClient> {
  const client = createAcpClient(options);
  await client.connect();
  return client;
}
