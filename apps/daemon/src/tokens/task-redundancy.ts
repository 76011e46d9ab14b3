import type { RedundancyReport } from "@cca/core";
import type { ContextReadRepository, TaskRepository } from "@cca/memory";
import { findRedundancy, type PartText } from "./redundancy.js";

/** A task tree's redundancy report (see findRedundancy): its agents' file reads, and what each part was given. */
export function createTaskRedundancy(deps: {
  tasks: Pick<TaskRepository, "read" | "descendants" | "runState">;
  reads: Pick<ContextReadRepository, "ofTree">;
}): (taskId: string) => Promise<RedundancyReport> {
  return async (taskId) => {
    await deps.tasks.read(taskId); // task_not_found for an unknown id
    const parts = await deps.tasks.descendants(taskId);
    const texts = await Promise.all(
      parts.map(async (part): Promise<PartText> => {
        const brief = (await deps.tasks.runState(part.id))?.brief;
        return {
          taskId: part.id,
          role: brief?.role ?? "unknown",
          text: [part.description, brief?.context ?? ""].join("\n\n"),
        };
      }),
    );
    return findRedundancy(taskId, await deps.reads.ofTree(taskId), texts);
  };
}
