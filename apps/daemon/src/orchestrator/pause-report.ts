import type { ErrorInfo, Task } from "@cca/core";
import { oneLine } from "../activity/one-line.js";
import type { BudgetExhausted } from "./budgets.js";

export const BUDGET_EXHAUSTED = "budget_exhausted";

/** How many parts of each kind the report names; the rest are counted. */
const NAMED_PARTS = 5;

/** The error of a task or part that pauses before its turn starts: the limit, and that it waits. */
export function pausedBeforeStart(task: Task, why: BudgetExhausted): ErrorInfo {
  const waits =
    task.parent_id === null
      ? `no turn started. ${howToResume(task.id, why)}`
      : "this part did not start; it runs when its task is resumed";
  return { code: BUDGET_EXHAUSTED, message: `${why.message}: ${waits}` };
}

/**
 * The error of a task whose turn ended while parts of it were paused for a budget (`why`,
 * as it stands now; null when no limit of the task's own role is reached): what was done,
 * what remains, and (for a top-level task) how to resume it.
 */
export function pausedAtEnd(task: Task, children: readonly Task[], why: BudgetExhausted | null): ErrorInfo {
  const paused = children.filter((child) => child.status === "paused");
  const done = children.filter((child) => child.status === "completed");
  const lines = [
    `${why?.message ?? "A budget of its parts' role is spent"}. Its turn finished, but ${count(paused.length, "part")} did not run, so ${task.parent_id === null ? "the task" : "this part"} is paused with its answer so far.`,
    `Done: ${done.length === 0 ? "no parts." : listParts(done)}`,
    `Not run yet: ${listParts(paused)}`,
    task.parent_id === null ? howToResume(task.id, why) : "It resumes with its task.",
  ];
  return { code: BUDGET_EXHAUSTED, message: lines.join("\n") };
}

/** The sentence that says how a paused top-level task goes on. */
function howToResume(taskId: string, why: BudgetExhausted | null): string {
  const waitFor =
    why && why.scope !== "task"
      ? " once the limit is raised or after 00:00 UTC, when the day's count starts again"
      : " with a bigger budget";
  return `Resume it${waitFor}: cca task resume ${taskId} (POST /api/v1/tasks/${taskId}/resume, or cca_resume).`;
}

function listParts(parts: readonly Task[]): string {
  const named = parts.slice(0, NAMED_PARTS).map((part) => `"${oneLine(part.description, 80)}"`);
  const more = parts.length > NAMED_PARTS ? `, and ${parts.length - NAMED_PARTS} more` : "";
  return `${named.join(", ")}${more}.`;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
