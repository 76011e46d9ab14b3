/** Gathers messages from a handler and lets a test wait until a number of them arrived. */
export class Collector<T = unknown> {
  readonly messages: T[] = [];
  readonly #waiters: { count: number; resolve: () => void }[] = [];

  readonly handler = (message: T): void => {
    this.messages.push(message);
    for (const waiter of [...this.#waiters]) {
      if (this.messages.length >= waiter.count) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };

  /** Resolves with the messages once `count` arrived; fails after `timeoutMs` saying what it saw. */
  async until(count: number, timeoutMs = 3_000): Promise<T[]> {
    if (this.messages.length < count) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(`Waited ${timeoutMs} ms for ${count} messages, got ${JSON.stringify(this.messages)}`),
          );
        }, timeoutMs);
        this.#waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    }
    return this.messages;
  }
}
