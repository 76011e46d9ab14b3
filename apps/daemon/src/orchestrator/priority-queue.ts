import type { TaskPriority } from "@cca/core";

const RANK: Record<TaskPriority, number> = { critical: 0, high: 1, normal: 2, low: 3 };

/** Task ids waiting to run: higher priority first, first come first served within a priority. */
export class PriorityQueue {
  readonly #entries: { id: string; rank: number; order: number }[] = [];
  #order = 0;

  push(id: string, priority: TaskPriority): void {
    const entry = { id, rank: RANK[priority], order: this.#order++ };
    const index = this.#entries.findIndex((other) => other.rank > entry.rank);
    if (index === -1) this.#entries.push(entry);
    else this.#entries.splice(index, 0, entry);
  }

  shift(): string | undefined {
    return this.#entries.shift()?.id;
  }

  remove(id: string): boolean {
    const index = this.#entries.findIndex((entry) => entry.id === id);
    if (index === -1) return false;
    this.#entries.splice(index, 1);
    return true;
  }

  get size(): number {
    return this.#entries.length;
  }
}
