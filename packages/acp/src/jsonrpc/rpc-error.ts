import { ErrorCodes } from "./error-codes.js";

/** A JSON-RPC error object as it travels on the wire. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * The one wire error: what a handler throws to answer with a JSON-RPC error, and what
 * `request()` rejects with (the peer's error, or a local Timeout, Cancelled or ConnectionClosed).
 * @example throw new RpcError(ErrorCodes.Unauthorized, 'Role "qa" may not cancel tasks', { data: { role: "qa" } });
 */
export class RpcError<Data = unknown> extends Error {
  readonly code: number;
  readonly data: Data | undefined;

  constructor(code: number, message: string, options: { data?: Data; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "RpcError";
    this.code = code;
    this.data = options.data;
  }

  /** The wire form: `{ code, message, data? }`; never the stack or the cause. */
  toJSON(): RpcErrorObject {
    return this.data === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, data: this.data };
  }

  /** Rebuilds an error received from a peer. */
  static fromJSON(object: RpcErrorObject): RpcError {
    return new RpcError(object.code, object.message, { data: object.data });
  }
}

/** Whether `error` is an RpcError, optionally with the given code. */
export function isRpcError(error: unknown, code?: number): error is RpcError {
  return error instanceof RpcError && (code === undefined || error.code === code);
}

/** An RpcError for a connection that is closed: what pending and later requests reject with. */
export function connectionClosedError(
  method: string,
  reason: string,
  options: { sent?: boolean } = {},
): RpcError {
  return new RpcError(
    ErrorCodes.ConnectionClosed,
    `Request "${method}" failed: the connection is closed (${reason}); reconnect and retry`,
    { data: { method, reason, sent: options.sent ?? true } },
  );
}

/** Whether a request failed because its connection closed before any of it went out, so a retry is safe. */
export function wasNeverSent(error: unknown): boolean {
  return (
    error instanceof RpcError &&
    error.code === ErrorCodes.ConnectionClosed &&
    (error.data as { sent?: boolean } | undefined)?.sent === false
  );
}
