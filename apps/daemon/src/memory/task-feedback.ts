import {
  CcaError,
  isTerminalStatus,
  type MemoryItem,
  type TaskFeedbackRequest,
  type TaskFeedbackResult,
} from "@cca/core";
import type { ReasoningBank } from "@cca/memory";
import type { Orchestrator } from "../orchestrator/orchestrator.js";
import { treeIds } from "./tree-ids.js";

/** The longest piece of a task's description quoted in an item made from feedback. */
const QUOTED_TASK_CHARS = 300;

const firstLine = (text: string, max: number) => {
  const line = text.split("\n", 1)[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/**
 * Feedback on an ended task (`POST /api/v1/tasks/:id/feedback`, `cca task feedback`,
 * `cca_feedback`): its verdict replaces the task's own outcome for every item injected into
 * the task or its parts, and a note becomes an item of its own: from a failure a guardrail
 * that names what went wrong, from a success a strategy.
 */
export function createTaskFeedback(deps: {
  bank: Pick<ReasoningBank, "recordOutcome" | "add">;
  orchestrator: Pick<Orchestrator, "get" | "tree">;
}) {
  return async (taskId: string, feedback: TaskFeedbackRequest): Promise<TaskFeedbackResult> => {
    const task = await deps.orchestrator.get(taskId);
    if (!isTerminalStatus(task.status) || task.status === "paused") {
      const wait = task.status === "paused" ? `cca task resume ${task.id}` : `cca task wait ${task.id}`;
      throw new CcaError(
        "task_not_ended",
        `Task ${task.id} is ${task.status}: give feedback once it has ended (${wait})`,
      );
    }
    const itemsUpdated = await deps.bank.recordOutcome(
      treeIds(await deps.orchestrator.tree(task.id)),
      feedback.success,
      "feedback",
    );
    let stored: MemoryItem | null = null;
    if (feedback.note) {
      const quoted = firstLine(task.description, QUOTED_TASK_CHARS);
      stored = await deps.bank.add({
        kind: feedback.success ? "strategy" : "guardrail",
        title: firstLine(feedback.note, 200),
        description: `${feedback.success ? "Worked" : "Went wrong"} in task ${task.id}: ${quoted}`,
        content: feedback.note,
        project_dir: task.project,
        source_task_ids: [task.id],
      });
    }
    return { task_id: task.id, success: feedback.success, items_updated: itemsUpdated, stored };
  };
}

export type TaskFeedback = ReturnType<typeof createTaskFeedback>;
