/**
 * Lets callers wait for the next change of an agent's state (or a warm agent's start
 * ending): reservations waiting for a slot, tasks waiting for a crashed agent's restart.
 */
export class AgentChanges {
  readonly #waiters = new Set<() => void>();

  /** Resolves at the next `notify()`; rejects when `signal` aborts. */
  next(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.#waiters.delete(wake);
        reject(signal?.reason);
      };
      const wake = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      this.#waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Wakes everyone waiting in `next()`. */
  notify(): void {
    for (const wake of [...this.#waiters]) wake();
    this.#waiters.clear();
  }
}
