import type { RecordedRequest } from "./types.ts";

interface Waiter {
  predicate: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_WAIT_MS = 10_000;

function describe(requests: RecordedRequest[]): string {
  if (requests.length === 0) return "no requests arrived";
  const texts = requests.map((request) => JSON.stringify(request.lastUserText.slice(0, 60)));
  return `${requests.length} arrived, last user texts: ${texts.join(", ")}`;
}

/** Recorded requests in arrival order, and promises waiting for one that matches. */
export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  #waiters = new Set<Waiter>();
  #closed = false;

  add(request: RecordedRequest): void {
    this.requests.push(request);
    for (const waiter of this.#waiters) {
      if (!waiter.predicate(request)) continue;
      this.#settle(waiter);
      waiter.resolve(request);
    }
  }

  waitFor(
    predicate: (request: RecordedRequest) => boolean,
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<RecordedRequest> {
    const existing = this.requests.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);
    if (this.#closed) return Promise.reject(new Error("mock-anthropic: waitForRequest after close()"));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter);
          reject(
            new Error(
              `mock-anthropic: no request matched within ${timeoutMs} ms (${describe(this.requests)}); ` +
                "check the predicate, or that Claude Code points ANTHROPIC_BASE_URL at this mock",
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  clear(): void {
    this.requests.length = 0;
  }

  /** Rejects every pending wait; later waits reject at once unless they match a recorded request. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters) {
      this.#settle(waiter);
      waiter.reject(new Error("mock-anthropic: server closed while waiting for a request"));
    }
  }

  #settle(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }
}
