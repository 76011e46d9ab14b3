import { CcaError, isTerminalStatus, type Task } from "@cca/core";
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { formatTaskFooter } from "../format.js";
import { registerCcaTool, type ToolContext } from "../tool-context.js";
import { daemonErrorResult, errorResult, textResult } from "../tool-result.js";
import { taskIdInput } from "./task-id-input.js";

export const CCA_CANCEL_TOOL = "cca_cancel";

const DESCRIPTION = "Cancel a queued, running or paused CCA task by id; the parts it delegated stop too.";

const inputSchema = {
  task_id: taskIdInput,
};

/** Registers `cca_cancel`: stop a task (and its parts) that is queued, running or paused. */
export function registerCcaCancelTool(server: McpServer, context: ToolContext): void {
  registerCcaTool(
    server,
    context,
    CCA_CANCEL_TOOL,
    { description: DESCRIPTION, inputSchema, annotations: { destructiveHint: true, idempotentHint: true } },
    ({ task_id: taskId }) => cancelTask(taskId, context),
  );
}

async function cancelTask(taskId: string, context: ToolContext): Promise<CallToolResult> {
  let task: Task;
  try {
    task = await context.client.cancelTask(taskId);
  } catch (error) {
    if (error instanceof CcaError && error.code === "task_not_found") {
      return errorResult(
        `There is no task ${taskId} to cancel [task_not_found]; cca_status without a task_id lists the recent tasks.`,
      );
    }
    if (error instanceof CcaError && error.code === "task_finished") return alreadyEnded(taskId, context);
    return daemonErrorResult(`Could not cancel task ${taskId}`, error);
  }
  context.logger.info("task cancelled on request", { task_id: task.id, status: task.status });
  const status = `cca_status {"task_id":"${task.id}"}`;
  if (task.status === "cancelled") {
    context.lateFinishes.seen(task.id);
    return textResult(`Cancelled task ${task.id}.\n\n${formatTaskFooter(task)}`);
  }
  if (isTerminalStatus(task.status)) {
    return textResult(
      `Task ${task.id} ended (${task.status}) before the cancel took effect; ${status} shows how.`,
    );
  }
  return textResult(
    `Asked the team to stop task ${task.id}; it is still ${task.status}. ${status} shows when it has stopped.`,
  );
}

/** The daemon's 409 `task_finished`: nothing to cancel, which is what the caller wanted. */
async function alreadyEnded(taskId: string, context: ToolContext): Promise<CallToolResult> {
  const task = await context.client.getTask(taskId).catch(() => undefined);
  const status = task ? ` (${task.status})` : "";
  return textResult(
    `Task ${taskId} has already ended${status}, so there is nothing to cancel; ` +
      `cca_status {"task_id":"${taskId}"} shows how it ended.`,
  );
}
