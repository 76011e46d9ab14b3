import {
  CcaError,
  formatDuration,
  isTerminalStatus,
  readTaskChanges,
  type Task,
  type TaskTree,
} from "@cca/core";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createApprovalGate } from "./approval-gate.js";
import { formatTaskAnswer, formatTaskFailure, formatTaskPaused } from "./format.js";
import { startProgressHeartbeat, type ToolExtra } from "./progress-heartbeat.js";
import { watchTaskActivity } from "./task-activity.js";
import type { ToolContext } from "./tool-context.js";
import { daemonErrorResult, errorResult, textResult } from "./tool-result.js";

/** The longest single long-poll, in seconds; progress keeps flowing in between. */
const POLL_S = 5;

/** A tool call that has just set a task going (`cca_task` created it, `cca_resume` resumed it). */
export interface TaskCall {
  /** The tool answering, named in what an interrupted wait reports: cca_task, cca_resume. */
  tool: string;
  /** The task as the daemon answered it: queued (or already running). */
  task: Task;
  /** Whether to wait for the task to end (or pause) before answering. */
  wait: boolean;
  /** The answer without waiting: where the task stands and how to follow it. */
  notWaiting: string;
  extra: ToolExtra;
  context: ToolContext;
}

/**
 * Answers a tool call that set a task going: at once without `wait` (the task is then followed
 * as a late finish), else once it ends or pauses, with progress on the way, the activity of its
 * agents, and the approvals it waits for. It stops at the wait limit (the task goes on). A paused
 * task answers without `isError`: it did not fail, it waits for the user's decision. When the
 * user interrupts the call the task goes on, reported later, or is cancelled with
 * `[mcp] cancel_on_interrupt`.
 * @example
 * const task = await context.client.resumeTask(taskId);
 * return answerTaskCall({ tool: "cca_resume", task, wait: true, notWaiting: "…", extra, context });
 */
export async function answerTaskCall(call: TaskCall): Promise<CallToolResult> {
  const { task, extra, context } = call;
  // The SDK sends no answer to a cancelled request (Esc in Claude Code), so act when it happens:
  // what the user hears of the task comes with the next answer of any CCA tool.
  const stopWatchingInterrupt = onAbort(extra.signal, () => handleInterrupt(call.tool, task.id, context));
  try {
    if (!call.wait) {
      context.lateFinishes.follow(task.id);
      return textResult(call.notWaiting);
    }
    return await waitForTaskEnd(task, extra, context);
  } finally {
    stopWatchingInterrupt();
  }
}

/** Runs `react` once `signal` aborts (at once if it has); returns how to stop listening. */
function onAbort(signal: AbortSignal, react: () => void): () => void {
  if (signal.aborted) {
    react();
    return () => {};
  }
  signal.addEventListener("abort", react, { once: true });
  return () => signal.removeEventListener("abort", react);
}

/** The user interrupted the call: the task goes on (reported later), or is cancelled if configured. */
function handleInterrupt(tool: string, taskId: string, context: ToolContext): void {
  const { client, lateFinishes, logger } = context;
  if (!context.cancelOnInterrupt) {
    logger.info(`${tool} interrupted; the task goes on`, { task_id: taskId });
    lateFinishes.follow(taskId, { interruptedIn: tool });
    return;
  }
  logger.info(`${tool} interrupted; cancelling the task (cancel_on_interrupt)`, { task_id: taskId });
  lateFinishes.announce(
    client.cancelTask(taskId).then(
      (task) => {
        if (task.status === "cancelled") {
          return `Cancelled task ${taskId} because its ${tool} wait was interrupted ([mcp] cancel_on_interrupt).`;
        }
        // It ended otherwise, or has not stopped yet: report it as a late finish.
        lateFinishes.follow(taskId);
        return undefined;
      },
      (error: unknown) => {
        if (error instanceof CcaError && error.code === "task_finished") {
          lateFinishes.follow(taskId);
          return undefined;
        }
        lateFinishes.follow(taskId, { interruptedIn: tool });
        const reason =
          error instanceof CcaError ? `[${error.code}]: ${error.message}` : `[internal]: ${String(error)}`;
        return `Could not cancel task ${taskId} after its ${tool} wait was interrupted ${reason}`;
      },
    ),
  );
}

async function waitForTaskEnd(
  started: Task,
  extra: ToolExtra,
  context: ToolContext,
): Promise<CallToolResult> {
  const { client, clock, logger } = context;
  const startedAt = clock.now();
  const deadline = startedAt + context.waitLimitS * 1000;
  let task = started;
  const activity = watchTaskActivity({ client, taskId: task.id, logger, signal: extra.signal });
  const approvals = createApprovalGate({ context, taskId: task.id, extra });
  const heartbeat = startProgressHeartbeat({
    extra,
    intervalMs: context.progressIntervalMs,
    logger,
    message: () => {
      const news = activity.latest() ?? `task ${task.id} ${task.status}`;
      return `${news} (${elapsedLabel(clock.now() - startedAt)})`;
    },
  });
  // Only ends the call: the SDK does not send it to a client that cancelled (see handleInterrupt).
  const stoppedWaiting = () =>
    textResult(
      context.cancelOnInterrupt
        ? `Stopped waiting for task ${task.id} and cancelled it ([mcp] cancel_on_interrupt).`
        : `Stopped waiting for task ${task.id}; it goes on. Follow it with cca_status {"task_id":"${task.id}"}, ` +
            `or stop it with cca_cancel {"task_id":"${task.id}"}.`,
    );
  try {
    while (!isTerminalStatus(task.status)) {
      if (extra.signal.aborted) return stoppedWaiting();
      const remainingMs = deadline - clock.now();
      if (remainingMs <= 0) {
        context.lateFinishes.follow(task.id);
        return textResult(
          `Task ${task.id} is still ${task.status} after ${formatDuration(context.waitLimitS * 1000)}; ` +
            `the team keeps working on it. Check it later with cca_status {"task_id":"${task.id}"} ` +
            "(cca_activity shows what the agents are doing).",
        );
      }
      const waitS = Math.max(1, Math.min(POLL_S, Math.ceil(remainingMs / 1000)));
      task = await client.waitForTask(task.id, waitS, extra.signal);
      const waitingForApproval = isTerminalStatus(task.status) ? undefined : await approvals.check();
      if (waitingForApproval) return waitingForApproval;
    }
  } catch (error) {
    if (extra.signal.aborted) return stoppedWaiting();
    context.lateFinishes.follow(task.id);
    return daemonErrorResult(
      `Lost track of task ${task.id} while waiting (it may still be running; check it later with cca_status)`,
      error,
    );
  } finally {
    heartbeat.stop();
    activity.stop();
  }
  logger.info("task ended", { task_id: task.id, status: task.status });
  // The parts the team split the work into; the answer stands without them if the tree is unreadable.
  const ended: Task | TaskTree = await client.getTaskTree(task.id).catch(() => task);
  const changes = await readTaskChanges(client, ended, logger);
  if (ended.status === "completed") return textResult(formatTaskAnswer(ended, changes));
  if (ended.status === "paused") return textResult(formatTaskPaused(ended, changes));
  return errorResult(formatTaskFailure(ended, changes));
}

function elapsedLabel(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : formatDuration(ms);
}
