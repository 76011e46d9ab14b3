import type { Logger, MemoryHit, Task } from "@cca/core";
import type { ReasoningBank } from "@cca/memory";
import type { TaskDistiller } from "./task-distiller.js";

/** What tasks take from the ReasoningBank, and give back when they end. */
export interface TaskMemory {
  /** Hints for a task's (or part's) first turn; null: nothing fits, or memory is off. */
  forTask(task: Task): Promise<string | null>;
  /** A task or part ended: completed counts a success for the items it was given, failed a failure. */
  ended(task: Task): Promise<void>;
}

/** No hints, no outcomes: memory off, or a daemon without a bank. */
export const NO_MEMORY: TaskMemory = { forTask: async () => null, ended: async () => {} };

/**
 * Retrieves the few items that fit a task (its project's and global ones, none under the
 * similarity threshold), records that they went into it, and words them as hints; when the
 * task ends, its status is the items' outcome (a judge or feedback may replace it later),
 * and a top-level task goes to the distiller. A failure of the bank costs the task its
 * hints, never the task itself.
 */
export function createTaskMemory(options: {
  bank: Pick<ReasoningBank, "search" | "recordInjections" | "recordOutcome">;
  /** `memory.hints`: most items per task (the paper found 1 best); 0 turns injection off. */
  limit: number;
  /** Distils ended top-level tasks (`memory.distill`); none: no distillation. */
  distiller?: Pick<TaskDistiller, "enqueue">;
  logger: Logger;
}): TaskMemory {
  return {
    async ended(task) {
      if (task.status !== "completed" && task.status !== "failed") return;
      try {
        await options.bank.recordOutcome([task.id], task.status === "completed", "status");
      } catch (error) {
        options.logger.warn("could not record a task's outcome in the memory", { task: task.id, error });
      }
      if (task.parent_id === null) options.distiller?.enqueue(task.id);
    },
    async forTask(task) {
      if (options.limit === 0) return null;
      try {
        const hits = await options.bank.search(task.description, {
          project: task.project,
          limit: options.limit,
        });
        if (hits.length === 0) return null;
        await options.bank.recordInjections(task.id, hits);
        options.logger.debug("memory hints injected", {
          task: task.id,
          items: hits.map((hit) => hit.item.id).join(","),
        });
        return formatHints(hits);
      } catch (error) {
        options.logger.warn("could not search the memory; the task goes without hints", {
          task: task.id,
          error,
        });
        return null;
      }
    },
  };
}

/** The hint block added to a task's turn, marked as hints so the agent weighs them as such. */
export function formatHints(hits: readonly MemoryHit[]): string {
  const lines = hits.map(
    ({ item }) =>
      `- ${item.kind === "guardrail" ? "Avoid" : "Worked before"}: ${item.title}. ${item.content}`,
  );
  return [
    "Hints from CCA's memory of earlier tasks (use them only where they fit this task):",
    ...lines,
  ].join("\n");
}
