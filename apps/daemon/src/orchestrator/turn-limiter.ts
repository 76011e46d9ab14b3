import { CcaError, type Clock, systemClock } from "@cca/core";

/** What the limiter shows (`GET /api/v1/status`): its limit now, and the turns under it. */
export interface TurnLimiterView {
  /** Turns that may call the API at once now. */
  limit: number;
  /** The limit it grows back to. */
  max: number;
  /** Turns running that count (a turn waiting on its own parts does not). */
  active: number;
  /** Turns waiting to start. */
  waiting: number;
  /** No turn starts before this ISO time (the API's `retry-after`), or null. */
  wait_until: string | null;
}

interface Waiter {
  taskId: string;
  ancestors: readonly string[];
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * How many task turns may call the Anthropic API at once on this daemon, found by additive
 * increase and multiplicative decrease: a rate-limited answer (429, or 529 overloaded)
 * halves the limit and holds every new turn until the API's `retry-after` has passed; each
 * turn that ends well raises it by 1/limit (about one a round), back up to `max`. Turns
 * over the limit wait, oldest first; none fails for it.
 *
 * A turn whose own parts run does not count while they do: it is waiting on them, not on the
 * API, and counting it could leave its parts no room at all.
 */
export class TurnLimiter {
  readonly #max: number;
  readonly #clock: Clock;
  readonly #defaultWaitMs: number;
  #limit: number;
  #waitUntil = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #running = new Map<string, readonly string[]>();
  readonly #waiting: Waiter[] = [];

  constructor(options: { max: number; defaultWaitMs?: number; clock?: Clock }) {
    this.#max = Math.max(1, options.max);
    this.#defaultWaitMs = options.defaultWaitMs ?? 30_000;
    this.#limit = this.#max;
    this.#clock = options.clock ?? systemClock;
  }

  /**
   * Resolves when a turn of `taskId` (a part of `ancestors`, nearest first) may start;
   * call the returned function when it ends. Rejects with the signal's reason if it aborts
   * first.
   */
  async acquire(taskId: string, ancestors: readonly string[], signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (!this.#hasRoom(ancestors)) {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = { taskId, ancestors, resolve, reject };
        this.#waiting.push(waiter);
        signal?.addEventListener(
          "abort",
          () => {
            const at = this.#waiting.indexOf(waiter);
            if (at >= 0) this.#waiting.splice(at, 1);
            reject(signal.reason);
            this.#admit();
          },
          { once: true },
        );
        this.#admit();
      });
    } else {
      this.#running.set(taskId, ancestors);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running.delete(taskId);
      this.#admit();
    };
  }

  /**
   * The API refused a call for its rate limit (or overload): halve the limit (once per
   * hold: the retries of one refusal are one signal), and hold new turns for `retryAfterMs`
   * (null: the API named none, so the default wait).
   */
  rateLimited(retryAfterMs: number | null): { from: number; to: number; waitMs: number } {
    const now = this.#clock.now();
    const from = Math.floor(this.#limit);
    if (now >= this.#waitUntil) this.#limit = Math.max(1, Math.floor(this.#limit / 2));
    const waitMs = Math.max(0, retryAfterMs ?? this.#defaultWaitMs);
    this.#waitUntil = Math.max(this.#waitUntil, now + waitMs);
    return { from, to: Math.floor(this.#limit), waitMs: this.#waitUntil - now };
  }

  /** A turn ended without a rate limit: the limit grows back by 1/limit, up to its max. */
  succeeded(): void {
    this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
    this.#admit();
  }

  view(): TurnLimiterView {
    return {
      limit: Math.floor(this.#limit),
      max: this.#max,
      active: this.#active(),
      waiting: this.#waiting.length,
      wait_until: this.#waitUntil > this.#clock.now() ? new Date(this.#waitUntil).toISOString() : null,
    };
  }

  /** Rejects every waiting turn (the daemon is stopping) and stops the timer. */
  close(): void {
    clearTimeout(this.#timer);
    for (const waiter of this.#waiting.splice(0)) {
      waiter.reject(new CcaError("shutting_down", "The daemon is shutting down"));
    }
  }

  /** Turns that count (those running with no part of their own running), with one more of `ancestors` if given. */
  #active(adding?: readonly string[]): number {
    const turns = [...this.#running.entries()];
    if (adding) turns.push(["", adding]);
    const waitingOnParts = new Set(turns.flatMap(([, ancestors]) => ancestors));
    return turns.filter(([id]) => !waitingOnParts.has(id)).length;
  }

  /** Room for one more turn of `ancestors`: no hold, and the turns that count stay within the limit. */
  #hasRoom(ancestors: readonly string[]): boolean {
    if (this.#clock.now() < this.#waitUntil) return false;
    return this.#active(ancestors) <= Math.floor(this.#limit);
  }

  /**
   * Starts the waiting turns there is room for, oldest first; one without room does not
   * hold back a later one (a part of a running task must not wait behind a task that waits
   * for that task's place). Sets a timer for the end of a hold.
   */
  #admit(): void {
    const now = this.#clock.now();
    if (now < this.#waitUntil) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#admit(), this.#waitUntil - now);
      this.#timer.unref?.();
      return;
    }
    for (const waiter of [...this.#waiting]) {
      if (!this.#hasRoom(waiter.ancestors)) continue;
      this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
      this.#running.set(waiter.taskId, waiter.ancestors);
      waiter.resolve();
    }
  }
}
