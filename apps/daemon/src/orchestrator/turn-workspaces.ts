import type { Agent, Logger, Task, TaskWorkspace } from "@cca/core";
import { oneLine } from "../activity/one-line.js";
import { appliedNote } from "../workspaces/applied-note.js";
import type { Workspaces } from "../workspaces/workspaces.js";
import type { TurnWorkspace } from "./task-execution.js";
import type { TaskRecords } from "./task-records.js";

interface Deps {
  workspaces: Workspaces;
  /** Where the tasks' workspaces are stored, and a task's parts read. */
  records: Pick<TaskRecords, "update"> & { repository: Pick<TaskRecords["repository"], "children"> };
  logger: Logger;
}

/**
 * A top-level task's agent's folder (the Coordinator's, or the role it was sent to) around its turn: the task's branch made and checked out in its
 * worktree (on a resumed task, the parts that completed meanwhile merged first, and the
 * Coordinator told how); afterwards its own changes committed on the branch, the branch freed
 * for the user, and with `[projects] auto_apply` applied when the task completed (not
 * when it pauses with parts left to run).
 */
export function topLevelWorkspace(
  deps: Deps,
  task: Task,
  options: { resumed: boolean; autoApply: boolean },
): TurnWorkspace {
  const { workspaces, records } = deps;
  return {
    async prepare(agent) {
      await workspaces.startTask(task, agent);
      return options.resumed ? await mergeFinishedParts(deps, task, agent) : null;
    },
    async settle(agent, turn) {
      await workspaces.commitTurn(task, task.id, agent);
      await workspaces.releaseTask(task, agent);
      const completed = turn !== null && !turn.isError && !turn.interrupted;
      if (!options.autoApply || !completed || task.workspace?.isolation !== "worktree" || !task.project)
        return;
      // A task that pauses for its budget is not done: its branch waits for the rest.
      const children = await records.repository.children(task.id);
      if (children.some((child) => child.status === "paused")) return;
      const applied = await workspaces
        .apply({ ...task, project: task.project })
        .then(
          appliedNote,
          (error: unknown) => `not applied: ${error instanceof Error ? error.message : String(error)}`,
        );
      await records.update(task.id, { workspace: { ...(task.workspace as TaskWorkspace), applied } });
    },
  };
}

/**
 * A part's folder around its turn: its agent's worktree on the part's branch, made from the
 * task's branch as it is now; afterwards its changes committed there, and the commit stored
 * with the part for the Coordinator's daemon to merge.
 */
export function partWorkspace(deps: Deps, part: Task, root: Task): TurnWorkspace {
  const { workspaces, records } = deps;
  let workspace: TaskWorkspace | null = null;
  return {
    async prepare(agent) {
      workspace = await workspaces.startPart(part, root, agent);
      if (!workspace) return null;
      await records.update(part.id, { workspace });
      return null; // the role's instructions say how a worktree is used
    },
    async settle(agent) {
      if (!workspace) return;
      const commit = await workspaces.commitTurn({ ...part, workspace }, root.id, agent);
      workspace = { ...workspace, commit };
      await records.update(part.id, { workspace });
    },
  };
}

/** Merges the completed parts of a resumed task (merged ones are skipped); says what became of each. */
async function mergeFinishedParts(deps: Deps, task: Task, coordinator: Agent): Promise<string | null> {
  const parts = (await deps.records.repository.children(task.id)).filter((part) => part.workspace?.commit);
  const lines: string[] = [];
  for (const part of parts) {
    try {
      const merge = await deps.workspaces.mergePart(task, part, coordinator.working_dir);
      if (merge) lines.push(`- ${oneLine(part.description, 120)}: ${merge.note}`);
    } catch (error) {
      deps.logger.warn("could not merge a finished part of a resumed task", {
        part: part.id,
        error: String(error),
      });
      lines.push(`- ${oneLine(part.description, 120)}: could not be merged (${String(error)})`);
    }
  }
  return lines.length > 0 ? `What became of those parts' changes:\n${lines.join("\n")}` : null;
}
