/** Sleeps that end early when woken: how a blocked `claimNext` hears of new work. */
export class WakeSignal {
  readonly #sleepers = new Set<() => void>();

  /** Resolves after `ms`, or at the next `wakeAll()`, whichever is first. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleepers.add(wake);
    });
  }

  /** Ends every sleep now. */
  wakeAll(): void {
    for (const wake of [...this.#sleepers]) wake();
  }
}
