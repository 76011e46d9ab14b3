import type { Task } from "@cca/core";

/** Callers waiting for tasks to end, woken with the ended task. */
export class TaskWaiters {
  readonly #waiters = new Map<string, Set<(task: Task) => void>>();

  /** Resolves with the ended task, or null when `timeoutMs` passes or `signal` aborts first. */
  wait(id: string, timeoutMs: number, signal?: AbortSignal): Promise<Task | null> {
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set();
      this.#waiters.set(id, waiters);
      const finish = (task: Task | null) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        waiters.delete(onEnd);
        if (waiters.size === 0) this.#waiters.delete(id);
        resolve(task);
      };
      const onEnd = (task: Task) => finish(task);
      const onAbort = () => finish(null);
      const timer = setTimeout(() => finish(null), timeoutMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      waiters.add(onEnd);
    });
  }

  /** Wakes everyone waiting for this task. */
  resolve(task: Task): void {
    for (const waiter of [...(this.#waiters.get(task.id) ?? [])]) waiter(task);
  }
}
