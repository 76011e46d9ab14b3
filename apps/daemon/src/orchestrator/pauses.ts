import { CcaError, formatGroupedCount, type ResumeTaskRequest, type Task, type TaskBudget } from "@cca/core";
import type { Spend } from "@cca/memory";
import type { Budgets } from "./budgets.js";
import { COORDINATOR } from "./scheduled-runs.js";
import type { TaskRecords } from "./task-records.js";

/**
 * Paused tasks (a budget ran out): resumed with a new budget, their paused parts and then
 * they back in line, or cancelled with those parts.
 */
export class Pauses {
  readonly #records: TaskRecords;
  readonly #budgets: Budgets;
  readonly #enqueue: (task: Task) => Promise<void>;

  constructor(options: { records: TaskRecords; budgets: Budgets; enqueue: (task: Task) => Promise<void> }) {
    this.#records = options.records;
    this.#budgets = options.budgets;
    this.#enqueue = options.enqueue;
  }

  /**
   * Resumes a paused top-level task with `request.budget` (the task's whole budget, what it
   * spent included; absent: another budget of the size it had). Refused when a limit would
   * pause it again at once. The task is stored queued before its parts, so they find it
   * unfinished, and put in line after them.
   */
  async resume(id: string, request: ResumeTaskRequest): Promise<Task> {
    const task = await this.#records.read(id);
    if (task.parent_id !== null) {
      throw new CcaError(
        "bad_request",
        `Task ${id} is a part of task ${task.parent_id}; resume that task, and its paused parts resume with it`,
        { details: { task_id: id, parent_id: task.parent_id } },
      );
    }
    if (task.status !== "paused") throw notPaused(task);
    const spent = (await this.#budgets.spent(task, COORDINATOR))?.task ?? { tokens: 0, usd: 0 };
    const budget = request.budget ?? anotherBudget(task.budget, spent);
    const why = await this.#budgets.exhausted(task, COORDINATOR, budget);
    if (why) {
      const bigger =
        why.scope === "task"
          ? `give a budget above what it has spent, e.g. {"budget": {"tokens": ${2 * spent.tokens}}}`
          : "raise that limit in cca.toml, or resume it after 00:00 UTC";
      throw new CcaError("budget_exhausted", `${why.message}, so it would pause again at once: ${bigger}`, {
        details: { task_id: id, scope: why.scope, spent_tokens: spent.tokens, spent_usd: spent.usd },
      });
    }
    const resumed = await this.#records.resume(
      id,
      { budget },
      `resumed with a budget of ${describe(budget)}`,
    );
    if (!resumed) throw notPaused(await this.#records.read(id));
    const parts = (await this.#records.repository.descendants(id)).filter((part) => part.status === "paused");
    const queued: Task[] = [];
    for (const part of parts) {
      const again = await this.#records.resume(part.id, {}, "resumed with its task");
      if (again) queued.push(again);
    }
    for (const part of queued) await this.#enqueue(part);
    await this.#enqueue(resumed);
    return this.#records.get(id);
  }

  /** Cancels a paused task and its paused parts (nothing of them runs). */
  async cancel(task: Task): Promise<Task> {
    const error = { code: "task_cancelled", message: "Cancelled while paused" };
    const parts = (await this.#records.repository.descendants(task.id)).filter(
      (part) => part.status === "paused",
    );
    for (const part of parts) await this.#records.finish(part.id, "cancelled", { error }, ["paused"]);
    await this.#records.finish(
      task.id,
      "cancelled",
      { error, ...(task.result ? { result: task.result } : {}) },
      ["paused"],
    );
    return this.#records.get(task.id);
  }
}

/** Another budget of the size `budget` had, on top of what the task has spent; null: it had none. */
function anotherBudget(budget: TaskBudget | null, spent: Spend): TaskBudget | null {
  if (!budget) return null;
  return {
    ...(budget.tokens === undefined ? {} : { tokens: spent.tokens + budget.tokens }),
    ...(budget.usd === undefined ? {} : { usd: spent.usd + budget.usd }),
  };
}

function describe(budget: TaskBudget | null): string {
  if (!budget) return "none of its own";
  const parts = [
    ...(budget.tokens === undefined ? [] : [`${formatGroupedCount(budget.tokens)} tokens`]),
    ...(budget.usd === undefined ? [] : [`$${budget.usd.toFixed(2)}`]),
  ];
  return parts.join(" and ");
}

function notPaused(task: Task): CcaError {
  return new CcaError(
    "task_not_paused",
    `Task ${task.id} is ${task.status}, not paused; only a paused task can be resumed`,
    { details: { task_id: task.id, status: task.status } },
  );
}
