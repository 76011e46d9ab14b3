import { isTerminalStatus, type RunHandler } from "@cca/core";
import type { TaskExecution } from "./task-execution.js";
import type { TaskRecords } from "./task-records.js";

/** What a restarted daemon does with a task that was running when its daemon stopped or died. */
export type OnRestart = "resume" | "interrupt";

export const COORDINATOR = "coordinator";

const RESUME_NOTE =
  "(CCA: your earlier work on this task was cut short: the daemon running it stopped, or could not record its end. Parts of it may be done already: check where things stand, then finish it.)";

/**
 * The scheduler's handler: runs a top-level task on this daemon's Coordinator. The
 * repository decides: a task that already ended is skipped (a redelivery after its
 * daemon died between storing the end and telling the scheduler), one that was running
 * when its daemon went away resumes or ends `interrupted` as `daemon.on_restart` says.
 */
export function createRunHandler(deps: {
  records: TaskRecords;
  execution: TaskExecution;
  taskTimeoutMs: number;
  onRestart: OnRestart;
}): RunHandler {
  const { records, execution } = deps;
  return async ({ taskId }) => {
    const state = await records.repository.runState(taskId);
    if (!state || isTerminalStatus(state.task.status) || state.task.parent_id !== null) return "ended";
    if (state.cancelRequested) {
      await records.finish(taskId, "cancelled", {
        error: { code: "task_cancelled", message: "Cancelled before it started" },
      });
      return "ended";
    }
    const cutShort = state.task.status === "running";
    if (cutShort && deps.onRestart === "interrupt") {
      await records.finish(taskId, "interrupted", {
        error: {
          code: "interrupted",
          message: `The daemon running it (${state.owner ?? "unknown"}) stopped before it finished; daemon.on_restart = "interrupt" ends such tasks instead of resuming them`,
        },
      });
      return "ended";
    }
    const started = await records.start(taskId, COORDINATOR);
    if (!started) return "ended";
    const prompt = cutShort ? `${started.description}\n\n${RESUME_NOTE}` : started.description;
    const ended = await execution.execute(started, COORDINATOR, prompt, {
      timeoutMs: deps.taskTimeoutMs,
      ancestors: [],
      onShutdown: deps.onRestart === "resume" ? "requeue" : "interrupt",
    });
    return ended.status === "queued" ? "requeued" : "ended";
  };
}
