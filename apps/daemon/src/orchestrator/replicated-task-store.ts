import { CcaError, type StateStore, type Task } from "@cca/core";
import { InMemoryTaskStore, type TaskStore } from "./task-store.js";

const KEY_PREFIX = "task:";

/**
 * A TaskStore for daemons that share work: reads and writes a local copy (so the
 * orchestrator stays synchronous) and writes every change through to the shared
 * StateStore, in order per task. `fetch` reads a task another daemon may have changed.
 */
export class ReplicatedTaskStore implements TaskStore {
  readonly #local = new InMemoryTaskStore();
  readonly #shared: StateStore;
  readonly #pending = new Map<string, Promise<void>>();
  readonly #onError: (error: unknown) => void;

  constructor(shared: StateStore, options: { onError?: (error: unknown) => void } = {}) {
    this.#shared = shared;
    this.#onError = options.onError ?? (() => {});
  }

  insert(task: Task): void {
    this.#local.insert(task);
    this.#replicate(task);
  }

  update(task: Task): void {
    if (this.#local.has(task.id)) this.#local.update(task);
    else this.#local.insert(task);
    this.#replicate(task);
  }

  get(id: string): Task {
    return this.#local.get(id);
  }

  has(id: string): boolean {
    return this.#local.has(id);
  }

  list(limit?: number): Task[] {
    return this.#local.list(limit);
  }

  children(parentId: string): Task[] {
    return this.#local.children(parentId);
  }

  countByStatus(): Record<string, number> {
    return this.#local.countByStatus();
  }

  /** The shared record (refreshing the local copy), or the local one if the shared store has none. */
  async fetch(id: string): Promise<Task> {
    await this.flush(id);
    const shared = await this.#shared.get<Task>(`${KEY_PREFIX}${id}`);
    if (shared) {
      if (this.#local.has(id)) this.#local.update(shared);
      else this.#local.insert(shared);
      return shared;
    }
    if (this.#local.has(id)) return this.#local.get(id);
    throw new CcaError(
      "task_not_found",
      `No task with id "${id}" on any daemon; list tasks with GET /api/v1/tasks`,
      {
        details: { task_id: id },
      },
    );
  }

  /** Every task in the shared store, newest first. */
  async fetchAll(limit = 100): Promise<Task[]> {
    const keys = await this.#shared.keys(KEY_PREFIX);
    const tasks = (await Promise.all(keys.map((key) => this.#shared.get<Task>(key)))).filter(
      (task): task is Task => task !== undefined,
    );
    return tasks.sort((a, b) => b.created_at.localeCompare(a.created_at)).slice(0, limit);
  }

  /** Resolves once every change to `id` made so far is in the shared store. */
  async flush(id: string): Promise<void> {
    await this.#pending.get(id);
  }

  #replicate(task: Task): void {
    const previous = this.#pending.get(task.id) ?? Promise.resolve();
    const next = previous
      .then(() => this.#shared.set(`${KEY_PREFIX}${task.id}`, task))
      .catch((error: unknown) => this.#onError(error));
    this.#pending.set(task.id, next);
    void next.then(() => {
      if (this.#pending.get(task.id) === next) this.#pending.delete(task.id);
    });
  }
}
