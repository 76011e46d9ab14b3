import { ErrorCodes } from "./error-codes.js";
import type { RpcErrorObject } from "./rpc-error.js";

/** A request id. The specification also allows null in a request; such a request is answered with id null. */
export type RequestId = string | number;

/** A request: answered with exactly one response carrying the same id. */
export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: RequestId | null;
  method: string;
  params?: unknown;
}

/** A notification: a request without an id, never answered, not even with an error. */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: unknown;
}

/** A successful response. */
export interface JsonRpcSuccess {
  jsonrpc: "2.0";
  id: RequestId | null;
  result: unknown;
}

/** An error response. */
export interface JsonRpcFailure {
  jsonrpc: "2.0";
  id: RequestId | null;
  error: RpcErrorObject;
}

export type JsonRpcResponse = JsonRpcSuccess | JsonRpcFailure;
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** What one received JSON value turned out to be. `invalid` carries the -32600 reply to send. */
export type InboundMessage =
  | { kind: "request"; id: RequestId | null; method: string; params: unknown }
  | { kind: "notification"; method: string; params: unknown }
  | { kind: "response"; id: RequestId | null; result: unknown; error: RpcErrorObject | undefined }
  | { kind: "invalid"; reply: JsonRpcFailure };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is RequestId | null {
  return typeof value === "string" || typeof value === "number" || value === null;
}

function isErrorObject(value: unknown): value is RpcErrorObject {
  return isObject(value) && Number.isInteger(value.code) && typeof value.message === "string";
}

function invalid(id: RequestId | null, reason: string): InboundMessage {
  return { kind: "invalid", reply: failure(id, ErrorCodes.InvalidRequest, `Invalid Request: ${reason}`) };
}

/**
 * Classifies one parsed JSON value (a whole frame, or one element of a batch) by the rules
 * of JSON-RPC 2.0. Invalid requests echo their id when it is readable and of a valid type;
 * a malformed response is answered with id null, so the reply is never taken for an answer
 * to one of the peer's own requests.
 */
export function classifyMessage(value: unknown): InboundMessage {
  if (!isObject(value)) return invalid(null, "expected a JSON object");
  const readableId = "id" in value && isId(value.id) ? value.id : null;
  if (value.jsonrpc !== "2.0") return invalid(readableId, 'member "jsonrpc" must be exactly "2.0"');
  if ("method" in value) {
    if (typeof value.method !== "string") return invalid(readableId, 'member "method" must be a string');
    if ("id" in value && !isId(value.id))
      return invalid(null, 'member "id" must be a string, a number or null');
    if (value.params !== undefined && typeof value.params !== "object") {
      return invalid(readableId, 'member "params" must be an object or an array');
    }
    if (value.params === null) return invalid(readableId, 'member "params" must be an object or an array');
    return "id" in value
      ? { kind: "request", id: value.id as RequestId | null, method: value.method, params: value.params }
      : { kind: "notification", method: value.method, params: value.params };
  }
  const hasResult = "result" in value;
  const hasError = "error" in value;
  if (hasResult || hasError) {
    if (hasResult === hasError) return invalid(null, 'a response has exactly one of "result" and "error"');
    if (!("id" in value) || !isId(value.id))
      return invalid(null, 'a response needs an "id" (string, number or null)');
    if (hasError && !isErrorObject(value.error)) {
      return invalid(null, 'member "error" must be an object with an integer "code" and a string "message"');
    }
    return {
      kind: "response",
      id: value.id as RequestId | null,
      result: value.result,
      error: hasError ? (value.error as RpcErrorObject) : undefined,
    };
  }
  return invalid(readableId, 'expected a request (with "method") or a response (with "result" or "error")');
}

/** Builds an error response. */
export function failure(id: RequestId | null, code: number, message: string, data?: unknown): JsonRpcFailure {
  const error: RpcErrorObject = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: "2.0", id, error };
}

/** Builds a successful response; `undefined` becomes null, since a response must carry a result. */
export function success(id: RequestId | null, result: unknown): JsonRpcSuccess {
  return { jsonrpc: "2.0", id, result: result === undefined ? null : result };
}
