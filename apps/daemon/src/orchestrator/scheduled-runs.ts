import { type ErrorInfo, isTerminalStatus, type Logger, type RunHandler, type Task } from "@cca/core";
import type { TaskRunState } from "@cca/memory";
import type { TaskMemory } from "../memory/task-memory.js";
import type { TaskRouter } from "../routing/task-router.js";
import type { Workspaces } from "../workspaces/workspaces.js";
import type { Budgets } from "./budgets.js";
import { partDeadline, partPrompt } from "./part-brief.js";
import { pausedAtEnd, pausedBeforeStart } from "./pause-report.js";
import { afterPauseNote, CUT_SHORT_NOTE, resumeNote } from "./resume-note.js";
import type { TaskExecution } from "./task-execution.js";
import { stopBeforeStartError } from "./task-outcomes.js";
import type { TaskRecords } from "./task-records.js";
import { partWorkspace, topLevelWorkspace } from "./turn-workspaces.js";

/** What a restarted daemon does with a task that was running when its daemon stopped or died. */
export type OnRestart = "resume" | "interrupt";

export const COORDINATOR = "coordinator";

interface RunDeps {
  records: TaskRecords;
  execution: TaskExecution;
  taskTimeoutMs: number;
  onRestart: OnRestart;
  /** Resolves once the task ended, or `timeoutMs` passed. */
  waitForEnd: (id: string, timeoutMs: number) => Promise<unknown>;
  workspaces: Workspaces;
  /** `[projects] auto_apply`. */
  autoApply: boolean;
  /** The ReasoningBank's side of a task: hints for its first turn, its outcome at the end. */
  memory: TaskMemory;
  /** The learned router hears how the work it routed ended. */
  router: Pick<TaskRouter, "ended">;
  /** The limits a turn must be under to start; at one, the task pauses. */
  budgets: Budgets;
  /** True once the daemon shuts down: a task not started yet goes back in line. */
  closing: () => boolean;
  logger: Logger;
}

/** The turn's text: the prompt, then any of the notes (hints, a resume note) there are. */
const withNotes = (prompt: string, ...notes: (string | null)[]) =>
  [prompt, ...notes.filter((note): note is string => note !== null)].join("\n\n");

/**
 * The scheduler's handler: runs a top-level task on this daemon's Coordinator, and a part
 * on an agent of the role it was delegated to. The repository decides: a task that
 * already ended is skipped (a redelivery after its daemon died between storing the end
 * and telling the scheduler), one that was running when its daemon went away resumes or
 * ends `interrupted` as `daemon.on_restart` says, and a part whose task has ended is
 * cancelled.
 */
export function createRunHandler(deps: RunDeps): RunHandler {
  const { records } = deps;
  return async ({ taskId }) => {
    const state = await records.repository.runState(taskId);
    if (!state || isTerminalStatus(state.task.status)) return "ended";
    if (state.cancelRequested) {
      await records.finish(taskId, "cancelled", { error: stopBeforeStartError("cancel").toJSON() });
      return "ended";
    }
    if (state.task.status === "running" && deps.onRestart === "interrupt") {
      await records.finish(taskId, "interrupted", {
        error: {
          code: "interrupted",
          message: `The daemon running it (${state.owner ?? "unknown"}) stopped before it finished; daemon.on_restart = "interrupt" ends such tasks instead of resuming them`,
        },
      });
      return "ended";
    }
    return state.task.parent_id === null ? runTask(deps, state) : runPart(deps, state);
  };
}

async function runTask(deps: RunDeps, state: TaskRunState): Promise<"ended" | "requeued"> {
  // The Coordinator, unless the task was sent straight to a role.
  const role = state.brief?.role ?? COORDINATOR;
  if (await pausedForBudget(deps, state.task, state.task, role)) return "ended";
  const resumed = state.task.status === "running" || afterPause(state.task);
  const note = resumed ? await resumeNoteOf(deps, state.task) : null;
  // Before it starts: between start and execute nothing may wait, or a shutdown in between
  // would miss the task. A resumed task's conversation has its hints already.
  const hints = resumed ? null : await deps.memory.forTask(state.task);
  // The shutdown's stop reaches only the tasks already running; any other daemon may take this one.
  if (deps.closing()) return "requeued";
  const started = await deps.records.start(state.task.id, role);
  if (!started) return "ended";
  const prompt = withNotes(started.description, hints, note);
  const ended = await deps.execution.execute(started, role, prompt, {
    timeoutMs: deps.taskTimeoutMs,
    ancestors: [],
    agentId: state.brief?.agentId ?? null,
    onShutdown: deps.onRestart === "resume" ? "requeue" : "interrupt",
    workspace: topLevelWorkspace(deps, started, { resumed, autoApply: deps.autoApply }),
    pauseAtEnd: () => pauseAtEnd(deps, started, started, role),
  });
  await deps.memory.ended(ended);
  // Read back with its parts' usage: the decision's outcome counts the whole team's tokens.
  if (isTerminalStatus(ended.status))
    await deps.router.ended(await deps.records.get(ended.id).catch(() => ended));
  return ended.status === "queued" ? "requeued" : "ended";
}

/**
 * A part runs while its task does; it ends with its task, and within its deadline
 * (counted from the delegation). Stopped by a shutdown it ends `interrupted`, and the
 * delegating agent decides what to do next.
 */
async function runPart(deps: RunDeps, state: TaskRunState): Promise<"ended"> {
  const { records } = deps;
  const { task, brief } = state;
  const parent = task.parent_id === null ? undefined : await records.repository.runState(task.parent_id);
  if (!brief || !parent || isTerminalStatus(parent.task.status)) {
    await records.finish(task.id, "cancelled", {
      error: brief
        ? stopBeforeStartError("parent_ended").toJSON()
        : {
            code: "interrupted",
            message: "The part was stored without its brief (role and context), so no agent can run it",
          },
    });
    return "ended";
  }
  const ancestors = await records.ancestors(task);
  const root = await records.read(ancestors.at(-1) ?? task.id);
  if (await pausedForBudget(deps, root, task, brief.role)) return "ended";
  const cutShort = task.status === "running";
  const note = cutShort ? CUT_SHORT_NOTE : afterPause(task) ? await resumeNoteOf(deps, task) : null;
  // Before it starts, as for a task (see runTask).
  const hints = note ? null : await deps.memory.forTask(task);
  const started = await records.start(task.id, brief.role);
  if (!started) return "ended";
  const prompt = withNotes(partPrompt(started, brief, parent.brief?.role ?? COORDINATOR, note), hints);
  const ended = await deps.execution.execute(started, brief.role, prompt, {
    timeoutMs: Math.max(0, partDeadline(started, brief, deps.taskTimeoutMs) - Date.now()),
    ancestors,
    onShutdown: "interrupt",
    workspace: partWorkspace(deps, started, parent.task),
    pauseAtEnd: () => pauseAtEnd(deps, root, started, brief.role),
  });
  await deps.memory.ended(ended);
  await deps.router.ended(ended);
  return "ended";
}

/** True for a task resumed after a pause that had had a turn before it (not one paused before its first). */
const afterPause = (task: Task) => task.resumed_at !== null && task.agent_id !== null;

/** The note of a resumed task: cut short by its daemon, or resumed after a pause. */
function resumeNoteOf(deps: RunDeps, task: Task): Promise<string> {
  const header = task.status === "running" ? CUT_SHORT_NOTE : afterPauseNote(task);
  return resumeNote(task, { ...deps, defaultTimeoutMs: deps.taskTimeoutMs }, header);
}

/**
 * Pauses `task` (of tree `root`) before its turn when a budget it counts against is spent;
 * true if it did (or it is not in line any more).
 */
async function pausedForBudget(deps: RunDeps, root: Task, task: Task, role: string): Promise<boolean> {
  const why = await deps.budgets.exhausted(root, role);
  if (!why) return false;
  await deps.records.pause(task.id, pausedBeforeStart(task, why));
  return true;
}

/** Why `task` pauses at its turn's end: some of its parts were paused for a budget; else null. */
async function pauseAtEnd(deps: RunDeps, root: Task, task: Task, role: string): Promise<ErrorInfo | null> {
  const children = await deps.records.repository.children(task.id);
  if (!children.some((child) => child.status === "paused")) return null;
  return pausedAtEnd(task, children, await deps.budgets.exhausted(await deps.records.read(root.id), role));
}
