import type { Logger, MemoryHit, Task } from "@cca/core";
import type { ReasoningBank } from "@cca/memory";

/** What a task's first turn is told of earlier lessons; null: nothing fits (or memory is off). */
export interface MemoryHints {
  forTask(task: Task): Promise<string | null>;
}

/** No hints, ever: memory off, or a daemon without a bank. */
export const NO_HINTS: MemoryHints = { forTask: async () => null };

/**
 * Retrieves the few items that fit a task (its project's and global ones, none under the
 * similarity threshold), records that they went into it, and words them as hints. A failure
 * to search costs the task its hints, never the task itself.
 */
export function createMemoryHints(options: {
  bank: Pick<ReasoningBank, "search" | "recordInjections">;
  /** `memory.hints`: most items per task (the paper found 1 best); 0 turns injection off. */
  limit: number;
  logger: Logger;
}): MemoryHints {
  if (options.limit === 0) return NO_HINTS;
  return {
    async forTask(task) {
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
