import { CcaError, type Task } from "@cca/core";

/** Where tasks live. In memory for now; the persistence work puts PostgreSQL behind the same shape. */
export interface TaskStore {
  insert(task: Task): void;
  update(task: Task): void;
  get(id: string): Task;
  has(id: string): boolean;
  /** Newest first. */
  list(limit?: number): Task[];
  /** Subtasks of `parentId`, oldest first. */
  children(parentId: string): Task[];
  countByStatus(): Record<string, number>;
}

/** A TaskStore that keeps copies in a Map, so callers cannot change stored tasks by accident. */
export class InMemoryTaskStore implements TaskStore {
  readonly #tasks = new Map<string, Task>();

  insert(task: Task): void {
    this.#tasks.set(task.id, structuredClone(task));
  }

  update(task: Task): void {
    if (!this.#tasks.has(task.id)) this.#notFound(task.id);
    this.#tasks.set(task.id, structuredClone(task));
  }

  has(id: string): boolean {
    return this.#tasks.has(id);
  }

  get(id: string): Task {
    const task = this.#tasks.get(id);
    if (!task) this.#notFound(id);
    return structuredClone(task);
  }

  list(limit = 100): Task[] {
    return [...this.#tasks.values()]
      .reverse()
      .slice(0, limit)
      .map((task) => structuredClone(task));
  }

  children(parentId: string): Task[] {
    return [...this.#tasks.values()]
      .filter((task) => task.parent_id === parentId)
      .map((task) => structuredClone(task));
  }

  countByStatus(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const task of this.#tasks.values()) counts[task.status] = (counts[task.status] ?? 0) + 1;
    return counts;
  }

  #notFound(id: string): never {
    throw new CcaError("task_not_found", `No task with id "${id}"; list tasks with GET /api/v1/tasks`, {
      details: { task_id: id },
    });
  }
}
