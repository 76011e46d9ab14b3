import type { z } from "zod";

/**
 * A request method: its wire name, the schema its params are validated with on the
 * receiving side, and (optionally) the schema the caller checks the result with.
 * `P` is what the handler receives, `PIn` what the caller sends (they differ when the
 * schema has defaults or transforms), `R` the result.
 */
export interface RequestType<P, R, PIn = P> {
  readonly kind: "request";
  readonly method: string;
  readonly params: z.ZodType<P, PIn>;
  readonly result: z.ZodType<R> | undefined;
}

/** A notification method: its wire name and the schema its params are validated with on receipt. */
export interface NotificationType<P, PIn = P> {
  readonly kind: "notification";
  readonly method: string;
  readonly params: z.ZodType<P, PIn>;
}

/** The params a handler of `T` receives. */
export type ParamsOf<T> =
  T extends RequestType<infer P, unknown, unknown>
    ? P
    : T extends NotificationType<infer P, unknown>
      ? P
      : never;

/** The result a caller of `T` gets. */
export type ResultOf<T> = T extends RequestType<unknown, infer R, unknown> ? R : never;

const RESERVED_PREFIXES = ["$/", "rpc."];

function checkMethodName(method: string): void {
  if (method.length === 0) throw new TypeError("A JSON-RPC method name must not be empty");
}

/** Whether a method name is reserved for the protocol itself (`$/…` here, `rpc.…` by the specification). */
export function isReservedMethod(method: string): boolean {
  return RESERVED_PREFIXES.some((prefix) => method.startsWith(prefix));
}

/**
 * Declares a request method once, so callers and handlers take their types from it.
 * Give a result schema to have callers validate what the peer answers; without one,
 * name the types: `defineRequest<Params, Result>("x", schema)`.
 * @example
 * const GetTask = defineRequest("task/get", z.object({ id: z.string() }), TaskSchema);
 * const task = await connection.request(GetTask, { id: "task_1" }); // typed as Task
 */
export function defineRequest<P, R, PIn = P>(
  method: string,
  params: z.ZodType<P, PIn>,
  result?: z.ZodType<R>,
): RequestType<P, R, PIn> {
  checkMethodName(method);
  return Object.freeze({ kind: "request", method, params, result });
}

/**
 * Declares a notification method once, so senders and handlers take their types from it.
 * @example const TaskProgress = defineNotification("task/progress", z.object({ id: z.string(), text: z.string() }));
 */
export function defineNotification<P, PIn = P>(
  method: string,
  params: z.ZodType<P, PIn>,
): NotificationType<P, PIn> {
  checkMethodName(method);
  return Object.freeze({ kind: "notification", method, params });
}
