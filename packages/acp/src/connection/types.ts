import type { NotificationType, RequestType } from "../descriptors.js";
import type { RequestId } from "../jsonrpc/messages.js";
import type { AcpLogger } from "../logger.js";
import type { HeartbeatOptions } from "./heartbeat.js";

/** Options of a connection. Every one has a default. */
export interface ConnectionOptions {
  /** Default timeout of `request()`, in ms; `Infinity` for none. Default 30 000. */
  requestTimeoutMs?: number;
  /** Largest frame accepted, in UTF-8 bytes; a larger one is answered with FrameTooLarge. Default 1 MiB. */
  maxFrameBytes?: number;
  /** Most received requests whose handlers may run at once; more are answered with Overloaded. Default 4096. */
  maxInFlightRequests?: number;
  /** Periodic `$/ping` to detect a dead peer; `false` (the default here) for none. */
  heartbeat?: HeartbeatOptions | false;
  logger?: AcpLogger;
}

/** Per-call options of `request()`. */
export interface RequestOptions {
  /** Aborting rejects the call with Cancelled and sends `$/cancelRequest` to the peer. */
  signal?: AbortSignal;
  /** Overrides the connection's `requestTimeoutMs` for this call. */
  timeoutMs?: number;
}

/** What a request handler gets besides its params. */
export interface RequestContext {
  /** Aborts when the peer cancels the request or the connection closes. */
  signal: AbortSignal;
  id: RequestId | null;
  method: string;
  connection: Connection;
}

/** What a notification handler gets besides its params. */
export interface NotificationContext {
  method: string;
  connection: Connection;
}

export type RequestHandler<P, R> = (params: P, context: RequestContext) => R | Promise<R>;
export type NotificationHandler<P> = (params: P, context: NotificationContext) => void | Promise<void>;

/** Why a connection closed: `local` by `close()`, `remote` by the peer or the transport, `heartbeat` when the peer went silent. */
export interface CloseInfo {
  reason: string;
  origin: "local" | "remote" | "heartbeat";
}

/**
 * One JSON-RPC 2.0 peer over a transport: it sends and correlates requests (with timeouts
 * and cancellation), dispatches received requests and notifications to typed handlers,
 * answers protocol errors, and optionally runs a heartbeat. Both sides of a link are
 * Connections; either may call the other.
 */
export interface Connection {
  /** Whether the connection has closed; it never reopens. */
  readonly closed: boolean;
  /** Why it closed, once it has. */
  readonly closeInfo: CloseInfo | undefined;
  /** Starts receiving (frames that arrived before are delivered then). Register handlers first. */
  start(): Promise<void>;
  /**
   * Sends a request and resolves with the peer's result. Rejects with an RpcError: the
   * peer's error, or Timeout, Cancelled, ConnectionClosed, InvalidResult.
   */
  request<P, R, PIn>(type: RequestType<P, R, PIn>, params: PIn, options?: RequestOptions): Promise<R>;
  /** Sends a notification. Rejects (with ConnectionClosed) only if it could not be sent. */
  notify<P, PIn>(type: NotificationType<P, PIn>, params: PIn): Promise<void>;
  /** Handles a request method; returns a function that removes the handler. One handler per method. */
  onRequest<P, R, PIn>(type: RequestType<P, R, PIn>, handler: RequestHandler<P, R>): () => void;
  /** Handles a notification method; returns a function that removes the handler. One handler per method. */
  onNotification<P, PIn>(type: NotificationType<P, PIn>, handler: NotificationHandler<P>): () => void;
  /** Calls `listener` once when the connection closes (at once if it already has). */
  onClose(listener: (info: CloseInfo) => void): () => void;
  /** Closes the connection: pending requests reject with ConnectionClosed, running handlers' signals abort. */
  close(reason?: string): Promise<void>;
}
