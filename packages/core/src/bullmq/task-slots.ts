import { CcaError } from "../errors/cca-error.js";

/** A daemon's slots for top-level tasks: at most `limit` run at once, across its lanes. */
export class TaskSlots {
  readonly #limit: number;
  #taken = 0;
  readonly #waiters: (() => void)[] = [];
  #closed = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Waits for a free slot; resolves with its release. Rejects with `shutting_down` once closed. */
  async acquire(): Promise<() => void> {
    while (this.#taken >= this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
      if (this.#closed)
        throw new CcaError("shutting_down", "The scheduler stopped before the task could start");
    }
    this.#taken += 1;
    return () => {
      this.#taken -= 1;
      this.#waiters.shift()?.();
    };
  }

  /** Wakes every waiter, which then rejects. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
