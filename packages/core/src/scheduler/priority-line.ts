import type { TaskPriority } from "../domain/schemas.js";
import { QUEUE_PRIORITY_ORDER } from "./task-scheduler.js";

/** An id's place in a PriorityLine: its priority and when it first joined. */
export interface LinePlace {
  readonly id: string;
  readonly priority: TaskPriority;
  /** Arrival order: lower joined earlier. Kept when a place is restored. */
  readonly order: number;
}

/**
 * Ids waiting their turn in memory: critical before high, normal, low; first come first
 * served within a priority. An id put back with `restore` keeps its first arrival order,
 * so it goes ahead of the entries of its priority that arrived after it.
 */
export class PriorityLine {
  readonly #places: LinePlace[] = [];
  #nextOrder = 0;

  /** Puts `id` at the back of its priority. The caller keeps ids unique (see `has`). */
  push(id: string, priority: TaskPriority): LinePlace {
    const place = { id, priority, order: this.#nextOrder++ };
    this.restore(place);
    return place;
  }

  /** Puts a place taken out by `shift` back where its arrival order puts it. */
  restore(place: LinePlace): void {
    const index = this.#places.findIndex((other) => comesBefore(place, other));
    if (index === -1) this.#places.push(place);
    else this.#places.splice(index, 0, place);
  }

  /** The place whose turn it is, left in line. */
  peek(): LinePlace | undefined {
    return this.#places[0];
  }

  /** Takes out the place whose turn it is. */
  shift(): LinePlace | undefined {
    return this.#places.shift();
  }

  /** Takes `id` out of line; true if it was waiting. */
  remove(id: string): boolean {
    const index = this.#places.findIndex((place) => place.id === id);
    if (index === -1) return false;
    this.#places.splice(index, 1);
    return true;
  }

  has(id: string): boolean {
    return this.#places.some((place) => place.id === id);
  }

  get size(): number {
    return this.#places.length;
  }
}

/** Throws a RangeError naming the known priorities when `entry.priority` is none of them. */
export function checkPriority(entry: { taskId: string; priority: TaskPriority }): void {
  if (!QUEUE_PRIORITY_ORDER.includes(entry.priority)) {
    throw new RangeError(
      `Unknown priority "${entry.priority}" for task ${entry.taskId}; known: ${QUEUE_PRIORITY_ORDER.join(", ")}`,
    );
  }
}

/** Whether `place` is served before `other`: a higher priority, or the same one and earlier. */
export function comesBefore(place: LinePlace, other: LinePlace): boolean {
  const rank = QUEUE_PRIORITY_ORDER.indexOf(place.priority);
  const otherRank = QUEUE_PRIORITY_ORDER.indexOf(other.priority);
  return rank < otherRank || (rank === otherRank && place.order < other.order);
}
