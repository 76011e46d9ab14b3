/**
 * JSON-RPC 2.0 error codes: the five the specification defines, and CCA's own in the
 * server-defined range -32000..-32099.
 */
export const ErrorCodes = {
  /** Invalid JSON was received. The reply's id is null. */
  ParseError: -32700,
  /** The JSON is not a valid Request object (or batch element). */
  InvalidRequest: -32600,
  /** No handler is registered for the method. */
  MethodNotFound: -32601,
  /** The params failed the method's schema; `data.issues` holds the zod issues. */
  InvalidParams: -32602,
  /** A handler threw something that is not an RpcError; the message is kept, the stack is not. */
  InternalError: -32603,

  /** A handler's own failure, for applications that need no finer code. */
  ApplicationError: -32000,
  /** The caller is not allowed to do this. */
  Unauthorized: -32001,
  /** No response arrived within the request's timeout. */
  Timeout: -32002,
  /** The request was cancelled (by the caller's AbortSignal or by `$/cancelRequest`). */
  Cancelled: -32003,
  /** The receiver has too many requests in flight; retry later. */
  Overloaded: -32004,
  /** The frame is larger than the receiver's `maxFrameBytes`; the connection stays open. */
  FrameTooLarge: -32005,
  /** The connection closed before the response arrived, or was closed when the request was made. */
  ConnectionClosed: -32006,
  /** The peer's result failed the method's result schema. */
  InvalidResult: -32007,
} as const;

/** One of the named error codes. Peers may send other integers; `RpcError.code` is a plain number. */
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];
