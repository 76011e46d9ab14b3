import type { z } from "zod";
import { ErrorCodes } from "../jsonrpc/error-codes.js";
import type { RequestId } from "../jsonrpc/messages.js";
import { RpcError, type RpcErrorObject } from "../jsonrpc/rpc-error.js";

interface PendingRequest {
  method: string;
  resultSchema: z.ZodType | undefined;
  resolve: (result: unknown) => void;
  reject: (error: RpcError) => void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** Lists zod issues as `path: message; …` for an error message. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "(params)"}: ${issue.message}`)
    .join("; ");
}

/** The outcome of checking a value against a schema. */
export type Validation = { ok: true; data: unknown } | { ok: false; issues: readonly z.core.$ZodIssue[] };

/** `schema.safeParse(value)`, except that a refinement or transform that throws counts as one issue. */
export function validate(schema: z.ZodType, value: unknown): Validation {
  try {
    const parsed = schema.safeParse(value);
    return parsed.success ? { ok: true, data: parsed.data } : { ok: false, issues: parsed.error.issues };
  } catch (error) {
    const message = `the schema threw: ${error instanceof Error ? error.message : String(error)}`;
    return { ok: false, issues: [{ code: "custom", path: [], message, input: undefined }] };
  }
}

/**
 * The requests this side sent and awaits answers to: correlation by id, the timeout, the
 * caller's AbortSignal, and validation of the result.
 */
export class PendingRequests {
  readonly #entries = new Map<RequestId, PendingRequest>();
  /** Called when this side gives up on a request (timeout or abort), to tell the peer. */
  readonly #onAbandon: (id: RequestId) => void;

  constructor(onAbandon: (id: RequestId) => void) {
    this.#onAbandon = onAbandon;
  }

  /** Registers request `id`; the promise settles with its response, timeout, abort or `settle()`. */
  add(
    id: number,
    method: string,
    resultSchema: z.ZodType | undefined,
    options: { signal: AbortSignal | undefined; timeoutMs: number },
  ): Promise<unknown> {
    const { signal, timeoutMs } = options;
    return new Promise((resolve, reject) => {
      const pending: PendingRequest = {
        method,
        resultSchema,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      if (Number.isFinite(timeoutMs)) {
        pending.timer = setTimeout(() => {
          const message = `Request "${method}" (id ${id}) got no response within ${timeoutMs} ms; the peer was sent $/cancelRequest. Raise timeoutMs if the method is slow`;
          this.#abandon(id, new RpcError(ErrorCodes.Timeout, message, { data: { method, id, timeoutMs } }));
        }, timeoutMs);
      }
      if (signal) {
        pending.onAbort = () => {
          const message = `Request "${method}" (id ${id}) was cancelled by the caller`;
          this.#abandon(
            id,
            new RpcError(ErrorCodes.Cancelled, message, { data: { method, id }, cause: signal.reason }),
          );
        };
        signal.addEventListener("abort", pending.onAbort, { once: true });
      }
      this.#entries.set(id, pending);
    });
  }

  /** Settles request `id` with a result or an error; false when it was not pending. */
  settle(id: RequestId, outcome: RpcError | { result: unknown }): boolean {
    const pending = this.#entries.get(id);
    if (!pending) return false;
    this.#entries.delete(id);
    clearTimeout(pending.timer);
    if (pending.onAbort) pending.signal?.removeEventListener("abort", pending.onAbort);
    if (outcome instanceof RpcError) pending.reject(outcome);
    else pending.resolve(outcome.result);
    return true;
  }

  /** Settles request `id` with a response from the peer; false when it was not pending. */
  receive(id: RequestId, result: unknown, error: RpcErrorObject | undefined): boolean {
    const pending = this.#entries.get(id);
    if (!pending) return false;
    if (error) return this.settle(id, RpcError.fromJSON(error));
    if (!pending.resultSchema) return this.settle(id, { result });
    const checked = validate(pending.resultSchema, result);
    if (checked.ok) return this.settle(id, { result: checked.data });
    const message = `Result of "${pending.method}" does not match its schema: ${describeIssues(checked.issues)}`;
    const data = { method: pending.method, issues: checked.issues };
    return this.settle(id, new RpcError(ErrorCodes.InvalidResult, message, { data }));
  }

  /** Rejects every pending request with the error `makeError` builds for its method. */
  rejectAll(makeError: (method: string) => RpcError): void {
    for (const [id, pending] of this.#entries) this.settle(id, makeError(pending.method));
  }

  #abandon(id: RequestId, error: RpcError): void {
    if (this.settle(id, error)) this.#onAbandon(id);
  }
}
