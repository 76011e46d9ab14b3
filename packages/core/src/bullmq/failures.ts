import { DeadlineExceeded, settlesWithin, withDeadline } from "../deadline.js";
import type { LogFields, Logger } from "../logger.js";

export { DeadlineExceeded, settlesWithin, withDeadline };

/** The service is not connected right now (the last attempt failed); the connection keeps trying. */
export class ServiceDown extends Error {
  constructor(cause: Error) {
    super(reasonOf(cause), { cause });
    this.name = "ServiceDown";
  }
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

/** ioredis and node-postgres messages that mean "no usable connection", not "the request was wrong". */
const CONNECTION_MESSAGES =
  /max retries per request|connection is closed|stream isn't writeable|command timed out|connection terminated|timeout exceeded when trying to connect|connection ended|ECONNREFUSED|ECONNRESET|ETIMEDOUT/i;

/**
 * Whether `error` says the service could not be reached (down, restarting, unreachable,
 * out of connections), as opposed to a request it refused.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof DeadlineExceeded || error instanceof ServiceDown) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code)) return true;
    // PostgreSQL SQLSTATE: class 08 connection exception; 57P01-03 shutting down or
    // starting; 53300 too many connections.
    if (/^08|^57P0[123]$|^53300$/.test(code)) return true;
  }
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  return error instanceof AggregateError && error.errors.some(isConnectionFailure);
}

/** The message of anything thrown. */
export function reasonOf(error: unknown): string {
  if (error instanceof AggregateError && error.message === "" && error.errors.length > 0) {
    return error.errors.map(reasonOf).join("; ");
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * Logs each distinct warning at most once per `windowMs`, so a service that is down does
 * not flood the log with the same reconnect error; repeats in between go to debug, and
 * the next warning says how many there were.
 */
export class ThrottledWarnings {
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #seen = new Map<string, { at: number; repeated: number }>();

  constructor(logger: Logger, windowMs = 30_000) {
    this.#logger = logger;
    this.#windowMs = windowMs;
  }

  warn(message: string, error: unknown, fields: LogFields = {}): void {
    const key = `${message}\n${reasonOf(error)}`;
    const now = Date.now();
    const seen = this.#seen.get(key);
    if (seen && now - seen.at < this.#windowMs) {
      seen.repeated += 1;
      this.#logger.debug(message, { ...fields, error: reasonOf(error) });
      return;
    }
    if (this.#seen.size > 100) this.#seen.clear();
    this.#seen.set(key, { at: now, repeated: 0 });
    const repeated = seen?.repeated ? { repeated: seen.repeated } : {};
    this.#logger.warn(message, { ...fields, error: reasonOf(error), ...repeated });
  }
}
