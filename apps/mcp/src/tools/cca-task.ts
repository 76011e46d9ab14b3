import {
  CcaError,
  formatDuration,
  isTerminalStatus,
  MAX_TASK_DESCRIPTION_CHARS,
  readTaskChanges,
  TASK_PRIORITIES,
  type Task,
  type TaskTree,
} from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { createApprovalGate } from "../approval-gate.js";
import { formatTaskAnswer, formatTaskFailure } from "../format.js";
import { startProgressHeartbeat, type ToolExtra } from "../progress-heartbeat.js";
import { watchTaskActivity } from "../task-activity.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, errorResult, textResult } from "../tool-result.js";

export const CCA_TASK_TOOL = "cca_task";

/** The longest single long-poll, in seconds; progress keeps flowing in between. */
const POLL_S = 5;

const DESCRIPTION =
  "Hand a software development task (code, tests, fixes, reviews, refactoring, infra, database, security) " +
  "to the CCA agent team and get their answer. Specialist Claude Code agents split the work and remember " +
  "earlier tasks, so follow-ups work. Waits with progress; a long task returns its id for cca_status.";

const inputSchema = {
  description: z
    .string({ error: "description is required: say what the team should do" })
    .trim()
    .min(1, "description must not be empty: say what the team should do")
    .max(
      MAX_TASK_DESCRIPTION_CHARS,
      `description is longer than ${MAX_TASK_DESCRIPTION_CHARS} characters: put large material in files and name them`,
    )
    .describe("The work, with what the team needs: goal, files, constraints, how to check it."),
  priority: z
    .enum(TASK_PRIORITIES, { error: `priority must be one of: ${TASK_PRIORITIES.join(", ")}` })
    .optional()
    .describe("Default normal."),
  role: z
    .string({ error: "role must be a string naming an agent role" })
    .trim()
    .min(1, "role must name an agent role, e.g. backend")
    .optional()
    .describe("Send it straight to one specialist (e.g. backend, qa) instead of the Coordinator."),
  wait: z
    .boolean({ error: "wait must be true or false" })
    .default(true)
    .describe("Wait for the answer (default); false returns the task id at once."),
};

type CcaTaskInput = z.output<z.ZodObject<typeof inputSchema>>;

/** Registers `cca_task`: create a task and, by default, wait for its answer while reporting progress. */
export function registerCcaTaskTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(server, context, CCA_TASK_TOOL, { description: DESCRIPTION, inputSchema }, (input, extra) =>
    runCcaTask(input, extra, context),
  );
}

async function runCcaTask(
  input: CcaTaskInput,
  extra: ToolExtra,
  context: ToolContext,
): Promise<CallToolResult> {
  let task: Task;
  try {
    task = await context.client.createTask({
      description: input.description,
      priority: input.priority,
      ...(input.role === undefined ? {} : { role: input.role }),
      ...(context.projectDir === undefined ? {} : { project_dir: context.projectDir }),
    });
  } catch (error) {
    return daemonErrorResult("Could not hand the task to the CCA daemon", error);
  }
  context.logger.info("task created", { task_id: task.id, wait: input.wait });
  // The SDK sends no answer to a cancelled request (Esc in Claude Code), so act when it happens:
  // what the user hears of the task comes with the next answer of any CCA tool.
  const stopWatchingInterrupt = onAbort(extra.signal, () => handleInterrupt(task.id, context));
  try {
    if (!input.wait) {
      context.lateFinishes.follow(task.id);
      return textResult(
        `Task ${task.id} is ${task.status} (priority ${task.priority}). ` +
          `Check it with cca_status {"task_id":"${task.id}"}; cca_activity shows the agents at work.`,
      );
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
function handleInterrupt(taskId: string, context: ToolContext): void {
  const { client, lateFinishes, logger } = context;
  if (!context.cancelOnInterrupt) {
    logger.info("cca_task interrupted; the task goes on", { task_id: taskId });
    lateFinishes.follow(taskId, { interrupted: true });
    return;
  }
  logger.info("cca_task interrupted; cancelling the task (cancel_on_interrupt)", { task_id: taskId });
  lateFinishes.announce(
    client.cancelTask(taskId).then(
      (task) => {
        if (task.status === "cancelled") {
          return `Cancelled task ${taskId} because its cca_task wait was interrupted ([mcp] cancel_on_interrupt).`;
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
        lateFinishes.follow(taskId, { interrupted: true });
        const reason =
          error instanceof CcaError ? `[${error.code}]: ${error.message}` : `[internal]: ${String(error)}`;
        return `Could not cancel task ${taskId} after its cca_task wait was interrupted ${reason}`;
      },
    ),
  );
}

async function waitForTaskEnd(
  created: Task,
  extra: ToolExtra,
  context: ToolContext,
): Promise<CallToolResult> {
  const { client, clock, logger } = context;
  const startedAt = clock.now();
  const deadline = startedAt + context.waitLimitS * 1000;
  let task = created;
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
  return ended.status === "completed"
    ? textResult(formatTaskAnswer(ended, changes))
    : errorResult(formatTaskFailure(ended, changes));
}

function elapsedLabel(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)}s` : formatDuration(ms);
}
