/** Callers waiting for tasks to change, woken by task id. */
export class TaskWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves true when woken for `id`, false when `timeoutMs` passes or `signal` aborts first. */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve(false);
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const finish = (woken: boolean) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        waiters.delete(onWake);
        if (waiters.size === 0) this.#waiters.delete(id);
        resolve(woken);
      };
      const onWake = () => finish(true);
      const onAbort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      waiters.add(onWake);
    });
  }

  /** Wakes everyone waiting for this task. */
  wake(id: string): void {
    for (const waiter of [...(this.#waiters.get(id) ?? [])]) waiter();
  }
}
