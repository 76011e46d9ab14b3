import type { z } from "zod";
import { CancelRequestNotification, PingRequest } from "../builtin-methods.js";
import { isReservedMethod, type NotificationType, type RequestType } from "../descriptors.js";
import { ErrorCodes } from "../jsonrpc/error-codes.js";
import {
  classifyMessage,
  failure,
  type InboundMessage,
  type JsonRpcResponse,
  type RequestId,
  success,
} from "../jsonrpc/messages.js";
import { connectionClosedError, RpcError, type RpcErrorObject } from "../jsonrpc/rpc-error.js";
import { type AcpLogger, noopAcpLogger } from "../logger.js";
import type { Transport } from "../transport/transport.js";
import { frameExceeds, readFrameHead, utf8ByteLength } from "./frame-head.js";
import { HandlerCancellation } from "./handler-cancellation.js";
import { Heartbeat } from "./heartbeat.js";
import { describeIssues, PendingRequests, validate } from "./pending-requests.js";
import type {
  CloseInfo,
  Connection,
  ConnectionOptions,
  NotificationHandler,
  RequestContext,
  RequestHandler,
  RequestOptions,
} from "./types.js";

interface RegisteredRequest {
  schema: z.ZodType;
  handler: RequestHandler<unknown, unknown>;
}

interface RegisteredNotification {
  schema: z.ZodType;
  handler: NotificationHandler<unknown>;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
const DEFAULT_MAX_IN_FLIGHT = 4096;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class JsonRpcConnection implements Connection {
  readonly #transport: Transport;
  readonly #logger: AcpLogger;
  readonly #requestTimeoutMs: number;
  readonly #maxFrameBytes: number;
  readonly #maxInFlight: number;
  readonly #heartbeat: Heartbeat | undefined;
  readonly #requestHandlers = new Map<string, RegisteredRequest>();
  readonly #notificationHandlers = new Map<string, RegisteredNotification>();
  readonly #pending = new PendingRequests((id) => {
    if (!this.#closeInfo) this.notify(CancelRequestNotification, { id }).catch(() => {});
  });
  readonly #running = new Map<RequestId, HandlerCancellation>();
  readonly #closeListeners = new Set<(info: CloseInfo) => void>();
  #runningCount = 0;
  #nextId = 1;
  #closeInfo: CloseInfo | undefined;

  constructor(transport: Transport, options: ConnectionOptions) {
    this.#transport = transport;
    this.#logger = options.logger ?? noopAcpLogger;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.#maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxInFlight = options.maxInFlightRequests ?? DEFAULT_MAX_IN_FLIGHT;
    if (options.heartbeat) {
      this.#heartbeat = new Heartbeat(
        options.heartbeat,
        () => {
          this.request(PingRequest, undefined, { timeoutMs: Number.POSITIVE_INFINITY }).catch(() => {});
        },
        (reason) => this.#shutDown({ reason, origin: "heartbeat" }),
      );
    }
    transport.onmessage = (frame) => this.#receive(frame);
    transport.onclose = (reason) => this.#shutDown({ reason, origin: "remote" });
    transport.onerror = (error) => this.#logger.warn("ACP transport error", { error: error.message });
  }

  get closed(): boolean {
    return this.#closeInfo !== undefined;
  }

  get closeInfo(): CloseInfo | undefined {
    return this.#closeInfo;
  }

  async start(): Promise<void> {
    try {
      await this.#transport.start();
    } catch (error) {
      this.#shutDown({ reason: `transport failed to start: ${errorMessage(error)}`, origin: "remote" });
      throw error;
    }
    this.#heartbeat?.start();
  }

  request<P, R, PIn>(type: RequestType<P, R, PIn>, params: PIn, options: RequestOptions = {}): Promise<R> {
    const { method } = type;
    if (this.#closeInfo) {
      return Promise.reject(connectionClosedError(method, this.#closeInfo.reason, { sent: false }));
    }
    const { signal } = options;
    if (signal?.aborted) {
      return Promise.reject(
        new RpcError(ErrorCodes.Cancelled, `Request "${method}" was cancelled before it was sent`, {
          data: { method },
          cause: signal.reason,
        }),
      );
    }
    let frame: string;
    const id = this.#nextId++;
    try {
      frame = JSON.stringify(
        params === undefined ? { jsonrpc: "2.0", id, method } : { jsonrpc: "2.0", id, method, params },
      );
    } catch (error) {
      return Promise.reject(
        new RpcError(
          ErrorCodes.InvalidParams,
          `Params of "${method}" cannot be sent as JSON: ${errorMessage(error)}`,
          {
            data: { method },
            cause: error,
          },
        ),
      );
    }
    const timeoutMs = options.timeoutMs ?? this.#requestTimeoutMs;
    const response = this.#pending.add(id, method, type.result, { signal, timeoutMs });
    this.#transport.send(frame).catch((error: unknown) => {
      this.#pending.settle(
        id,
        connectionClosedError(method, `send failed: ${errorMessage(error)}`, { sent: false }),
      );
    });
    return response as Promise<R>;
  }

  async notify<P, PIn>(type: NotificationType<P, PIn>, params: PIn): Promise<void> {
    if (this.#closeInfo) throw connectionClosedError(type.method, this.#closeInfo.reason);
    const message =
      params === undefined
        ? { jsonrpc: "2.0", method: type.method }
        : { jsonrpc: "2.0", method: type.method, params };
    try {
      await this.#transport.send(JSON.stringify(message));
    } catch (error) {
      throw connectionClosedError(type.method, `send failed: ${errorMessage(error)}`);
    }
  }

  onRequest<P, R, PIn>(type: RequestType<P, R, PIn>, handler: RequestHandler<P, R>): () => void {
    this.#checkRegistrable(type.method, this.#requestHandlers.has(type.method));
    const entry: RegisteredRequest = {
      schema: type.params,
      handler: handler as RequestHandler<unknown, unknown>,
    };
    this.#requestHandlers.set(type.method, entry);
    return () => {
      if (this.#requestHandlers.get(type.method) === entry) this.#requestHandlers.delete(type.method);
    };
  }

  onNotification<P, PIn>(type: NotificationType<P, PIn>, handler: NotificationHandler<P>): () => void {
    this.#checkRegistrable(type.method, this.#notificationHandlers.has(type.method));
    const entry: RegisteredNotification = {
      schema: type.params,
      handler: handler as NotificationHandler<unknown>,
    };
    this.#notificationHandlers.set(type.method, entry);
    return () => {
      if (this.#notificationHandlers.get(type.method) === entry)
        this.#notificationHandlers.delete(type.method);
    };
  }

  onClose(listener: (info: CloseInfo) => void): () => void {
    if (this.#closeInfo) {
      listener(this.#closeInfo);
      return () => {};
    }
    this.#closeListeners.add(listener);
    return () => this.#closeListeners.delete(listener);
  }

  async close(reason = "closed by this side"): Promise<void> {
    if (this.#closeInfo) return;
    this.#shutDown({ reason, origin: "local" });
    await this.#transport.close(reason);
  }

  #checkRegistrable(method: string, taken: boolean): void {
    if (isReservedMethod(method)) {
      throw new Error(
        `Method "${method}" is reserved for the protocol ($/ and rpc. prefixes); choose another name`,
      );
    }
    if (taken) {
      throw new Error(
        `A handler for "${method}" is already registered; remove it (call what onRequest returned) first`,
      );
    }
  }

  #shutDown(info: CloseInfo): void {
    if (this.#closeInfo) return;
    this.#closeInfo = info;
    this.#heartbeat?.stop();
    this.#pending.rejectAll((method) => connectionClosedError(method, info.reason));
    const abortReason = new RpcError(ErrorCodes.ConnectionClosed, `The connection closed: ${info.reason}`);
    for (const running of this.#running.values()) running.abort(abortReason);
    if (info.origin !== "local") {
      this.#transport.close(info.reason).catch(() => {});
    }
    this.#logger.debug("ACP connection closed", { reason: info.reason, origin: info.origin });
    for (const listener of this.#closeListeners) {
      try {
        listener(info);
      } catch (error) {
        this.#logger.error("ACP close listener threw", { error: errorMessage(error) });
      }
    }
    this.#closeListeners.clear();
  }

  #receive(frame: string): void {
    this.#heartbeat?.heard();
    if (frameExceeds(frame, this.#maxFrameBytes)) {
      this.#refuseOversized(frame);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(frame);
    } catch (error) {
      this.#reply(failure(null, ErrorCodes.ParseError, `Parse error: ${errorMessage(error)}`));
      return;
    }
    if (!Array.isArray(value)) {
      const reply = this.#dispatch(classifyMessage(value));
      if (reply instanceof Promise) {
        reply.then((settled) => {
          if (settled) this.#reply(settled);
        });
      } else if (reply) this.#reply(reply);
      return;
    }
    if (value.length === 0) {
      this.#reply(failure(null, ErrorCodes.InvalidRequest, "Invalid Request: an empty batch"));
      return;
    }
    const replies = value.map((element) => this.#dispatch(classifyMessage(element)));
    Promise.all(replies).then((settled) => {
      const present = settled.filter((reply): reply is JsonRpcResponse => reply !== undefined);
      if (present.length > 0) this.#reply(present);
    });
  }

  #refuseOversized(frame: string): void {
    const frameBytes = utf8ByteLength(frame);
    const message = `Frame of ${frameBytes} bytes is over the limit of ${this.#maxFrameBytes} bytes; send smaller messages`;
    const data = { frameBytes, maxFrameBytes: this.#maxFrameBytes };
    const head = readFrameHead(frame);
    this.#logger.warn("ACP frame too large", { ...data, kind: head.kind });
    if (head.kind === "notification") return;
    if (head.kind === "response") {
      if (head.id !== null)
        this.#pending.settle(
          head.id,
          new RpcError(ErrorCodes.FrameTooLarge, `Response: ${message}`, { data }),
        );
      return;
    }
    this.#reply(failure(head.kind === "request" ? head.id : null, ErrorCodes.FrameTooLarge, message, data));
  }

  /** Handles one message; returns the reply to send, if any (a promise when a handler runs). */
  #dispatch(message: InboundMessage): JsonRpcResponse | undefined | Promise<JsonRpcResponse | undefined> {
    switch (message.kind) {
      case "invalid":
        return message.reply;
      case "response":
        this.#receiveResponse(message.id, message.result, message.error);
        return undefined;
      case "notification":
        this.#receiveNotification(message.method, message.params);
        return undefined;
      case "request":
        return this.#receiveRequest(message.id, message.method, message.params);
    }
  }

  #receiveResponse(id: RequestId | null, result: unknown, error: RpcErrorObject | undefined): void {
    if (id !== null && this.#pending.receive(id, result, error)) return;
    const fields = { id, error: error?.message };
    if (error) this.#logger.warn("ACP peer sent an error that answers no pending request", fields);
    else this.#logger.debug("ACP response for no pending request (cancelled or timed out)", fields);
  }

  #receiveNotification(method: string, params: unknown): void {
    if (method === CancelRequestNotification.method) {
      const parsed = CancelRequestNotification.params.safeParse(params);
      if (!parsed.success) return;
      this.#running
        .get(parsed.data.id)
        ?.abort(
          new RpcError(ErrorCodes.Cancelled, `The peer cancelled request ${JSON.stringify(parsed.data.id)}`),
        );
      return;
    }
    const entry = this.#notificationHandlers.get(method);
    if (!entry) {
      this.#logger.debug("ACP notification with no handler, ignored", { method });
      return;
    }
    const checked = validate(entry.schema, params);
    if (!checked.ok) {
      this.#logger.warn("ACP notification with invalid params, ignored", {
        method,
        issues: describeIssues(checked.issues),
      });
      return;
    }
    const report = (error: unknown) =>
      this.#logger.error("ACP notification handler threw", { method, error: errorMessage(error) });
    try {
      const outcome = entry.handler(checked.data, { method, connection: this });
      if (outcome instanceof Promise) outcome.catch(report);
    } catch (error) {
      report(error);
    }
  }

  #receiveRequest(
    id: RequestId | null,
    method: string,
    params: unknown,
  ): JsonRpcResponse | Promise<JsonRpcResponse | undefined> {
    if (method === PingRequest.method) return success(id, {});
    const entry = this.#requestHandlers.get(method);
    if (!entry) return failure(id, ErrorCodes.MethodNotFound, `Method "${method}" not found`, { method });
    if (this.#runningCount >= this.#maxInFlight) {
      return failure(
        id,
        ErrorCodes.Overloaded,
        `Too many requests in flight (${this.#maxInFlight}); wait for answers before sending more`,
        { maxInFlightRequests: this.#maxInFlight },
      );
    }
    const checked = validate(entry.schema, params);
    if (!checked.ok) {
      return failure(
        id,
        ErrorCodes.InvalidParams,
        `Invalid params for "${method}": ${describeIssues(checked.issues)}`,
        { method, issues: checked.issues },
      );
    }
    return this.#runHandler(id, method, entry.handler, checked.data);
  }

  async #runHandler(
    id: RequestId | null,
    method: string,
    handler: RequestHandler<unknown, unknown>,
    params: unknown,
  ): Promise<JsonRpcResponse | undefined> {
    const cancellation = new HandlerCancellation();
    // A request with id null cannot be cancelled: $/cancelRequest names an id.
    if (id !== null) this.#running.set(id, cancellation);
    this.#runningCount += 1;
    const context: RequestContext = {
      get signal() {
        return cancellation.signal;
      },
      id,
      method,
      connection: this,
    };
    try {
      const result = await handler(params, context);
      if (cancellation.aborted) return this.#abortedReply(id, method, cancellation.reason);
      return success(id, result);
    } catch (error) {
      if (error instanceof RpcError) return failure(id, error.code, error.message, error.data);
      if (cancellation.aborted) return this.#abortedReply(id, method, cancellation.reason);
      this.#logger.warn("ACP request handler threw", { method, error: errorMessage(error) });
      return failure(id, ErrorCodes.InternalError, errorMessage(error), { method });
    } finally {
      this.#runningCount -= 1;
      if (id !== null && this.#running.get(id) === cancellation) this.#running.delete(id);
    }
  }

  #abortedReply(id: RequestId | null, method: string, reason: unknown): JsonRpcResponse {
    const why = reason instanceof RpcError ? reason.message : "cancelled";
    return failure(id, ErrorCodes.Cancelled, `Request "${method}" was cancelled: ${why}`, { method });
  }

  #reply(reply: JsonRpcResponse | JsonRpcResponse[]): void {
    if (this.#closeInfo) return;
    const frame = Array.isArray(reply) ? `[${reply.map(serializeReply).join(",")}]` : serializeReply(reply);
    this.#transport.send(frame).catch((error: unknown) => {
      this.#logger.debug("ACP reply not sent", { error: errorMessage(error) });
    });
  }
}

function serializeReply(reply: JsonRpcResponse): string {
  try {
    return JSON.stringify(reply);
  } catch (error) {
    const message = `The result cannot be sent as JSON: ${errorMessage(error)}`;
    return JSON.stringify(failure(reply.id, ErrorCodes.InternalError, message));
  }
}

/**
 * Creates a connection over a transport. Register handlers, then `start()`.
 * @example
 * const [a, b] = createInMemoryTransportPair();
 * const server = createConnection(b);
 * server.onRequest(Add, ({ x, y }) => x + y);
 * await server.start();
 * const client = createConnection(a);
 * await client.start();
 * await client.request(Add, { x: 1, y: 2 }); // 3
 */
export function createConnection(transport: Transport, options: ConnectionOptions = {}): Connection {
  return new JsonRpcConnection(transport, options);
}
